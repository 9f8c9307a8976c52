using Firn.Tests.Architecture.Fixture;

namespace Firn.Tests.Architecture;

/// <summary>
/// The layer assignment and the dependency collector on a small fixture compiled into this test assembly
/// (Architecture/Fixture: layers Low and High, and Top at its root), where every kind of dependency is known.
/// </summary>
public sealed class DependencyCollectorTests : IDisposable
{
    private static readonly SourceLayout Layout = new(
        "tests/Firn.Tests/Architecture/Fixture/",
        "Firn.Tests.Architecture.Fixture",
        "Top",
        new LayerRules(("Low", []), ("High", ["Low"]), ("Top", ["Low", "High"])),
        new Dictionary<string, string>(),
        new Dictionary<string, string>());

    private readonly LayeredAssembly _assembly = LayeredAssembly.Load(typeof(LowKind).Assembly.Location, Layout);

    public void Dispose() => _assembly.Dispose();

    [Fact]
    public void Types_take_the_layer_of_their_folder()
    {
        Assert.Empty(_assembly.Problems);
        var layers = _assembly.Types.ToDictionary(t => t.Name, t => t.Layer, StringComparer.Ordinal);
        Assert.Equal("High", layers["Firn.Tests.Architecture.Fixture.High.HighThing"]);
        Assert.Equal("Low", layers["Firn.Tests.Architecture.Fixture.Low.LowBase"]);
        Assert.Equal("Top", layers["Firn.Tests.Architecture.Fixture.Top"]);

        // A public enum in the root namespace has no method bodies; its file comes from the PDB.
        Assert.Equal("Low", layers["Firn.Tests.Architecture.Fixture.LowKind"]);
    }

    [Theory]
    [InlineData("Low.LowBase", "HighThing declaration at High/HighThing.cs (base type)")]
    [InlineData("Low.ILowContract", "HighThing declaration at High/HighThing.cs (interface)")]
    [InlineData("Low.LowAttribute", "HighThing declaration at High/HighThing.cs (attribute)")]
    [InlineData("Low.LowItem", "HighThing declaration at High/HighThing.cs (attribute)")]
    [InlineData("Low.LowData", "field HighThing._data at High/HighThing.cs")]
    [InlineData("LowKind", "HighThing.Kind signature at High/HighThing.cs:")]
    [InlineData("Low.LowItem", "HighThing.Items signature at High/HighThing.cs:")]
    [InlineData("Low.LowItem", "HighThing.LaterAsync body (newobj LowItem..ctor) at High/HighThing.cs:21")]
    [InlineData("Low.LowData", "HighThing.Lambda body (newobj LowData..ctor) at High/HighThing.cs:25")]
    public void Every_kind_of_use_is_found_with_where_it_is(string used, string where)
    {
        var dependencies = DependencyCollector.Collect(_assembly);

        var found = dependencies.Where(d => d.FromType == "Firn.Tests.Architecture.Fixture.High.HighThing" && d.ToType == "Firn.Tests.Architecture.Fixture." + used).ToList();
        Assert.True(found.Any(d => d.Where.StartsWith(where, StringComparison.Ordinal)), $"No use of {used} at \"{where}...\"; found:{Environment.NewLine}{LayerChecker.Report(found)}");
    }

    [Fact]
    public void The_forbidden_use_is_the_one_violation_and_makes_the_one_cycle()
    {
        var dependencies = DependencyCollector.Collect(_assembly);

        var violation = Assert.Single(LayerChecker.Violations(Layout.Rules, dependencies));
        Assert.Equal(("Firn.Tests.Architecture.Fixture.Low.LowUsesHigh", "Firn.Tests.Architecture.Fixture.High.HighHelper"), (violation.FromType, violation.ToType));
        Assert.StartsWith("LowUsesHigh.Touch body (call HighHelper.Value) at Low/LowTypes.cs:", violation.Where, StringComparison.Ordinal);
        Assert.Equal([["High", "Low"]], LayerChecker.Cycles(dependencies.Select(d => (d.FromLayer, d.ToLayer))));
        Assert.Contains(dependencies, d => d.FromLayer == "Top" && d.ToLayer == "High");
    }
}
