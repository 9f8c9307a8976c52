using System.Text;

namespace Firn.Tests.Architecture;

/// <summary>Firn.dll and its PDB, read once for the layering tests, with the dependencies that cross layers.</summary>
public sealed class FirnAssemblyFixture : IDisposable
{
    public FirnAssemblyFixture()
    {
        Assembly = LayeredAssembly.Load(typeof(FirnApp).Assembly.Location, FirnLayering.Layout);
        Dependencies = DependencyCollector.Collect(Assembly);
    }

    internal LayeredAssembly Assembly { get; }

    internal List<Dependency> Dependencies { get; }

    public void Dispose() => Assembly.Dispose();
}

/// <summary>
/// The layering of docs/ARCHITECTURE.md, checked over the compiled assembly: each type's layer is the folder of its
/// source files (<see cref="FirnLayering"/>), and every use of a type in another layer must be one the layering allows.
/// </summary>
public sealed class LayeringTests(FirnAssemblyFixture firn) : IClassFixture<FirnAssemblyFixture>
{
    private const string HowToFix =
        "Move the code to the layer that owns it, or turn the dependency around through an interface the lower layer declares " +
        "and the higher one implements. Change FirnLayering.Rules only when the architecture itself changes, and docs/ARCHITECTURE.md with it.";

    [Fact]
    public void Every_type_is_in_one_declared_layer()
    {
        Assert.True(firn.Assembly.Problems.Count == 0, string.Join(Environment.NewLine, firn.Assembly.Problems));
    }

    [Fact]
    public void Every_declared_layer_has_types_and_every_shared_type_is_a_root_file()
    {
        var problems = new List<string>();
        var layers = firn.Assembly.Types.Select(t => t.Layer).ToHashSet(StringComparer.Ordinal);
        problems.AddRange(FirnLayering.Rules.Layers.Where(l => !layers.Contains(l)).Select(l => $"Layer {l} has no types: remove it from FirnLayering.Rules or fix its name."));

        var byName = firn.Assembly.Types.ToDictionary(t => t.Type.FullName, StringComparer.Ordinal);
        foreach (var shared in FirnLayering.SharedTypes.Keys)
        {
            if (!byName.TryGetValue(shared, out var type))
            {
                problems.Add($"Shared type {shared} does not exist: remove it from FirnLayering.SharedTypes.");
            }
            else if (type.Folder != "")
            {
                problems.Add($"Shared type {shared} is in folder {type.Folder}, so a layer owns it: remove it from FirnLayering.SharedTypes.");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Public_types_are_in_namespace_Firn()
    {
        var wrong = firn.Assembly.Types.Where(t => t.IsPublic && t.Type.Namespace != "Firn")
            .Select(t => $"{t.Name} is public but in namespace {t.Type.Namespace}: everything an application touches is in namespace Firn.")
            .Concat(firn.Assembly.Strays.Select(t => $"{LayeredAssembly.DisplayName(t)} is outside namespace Firn and its sub-namespaces."))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    [Fact]
    public void Internal_types_are_in_the_namespace_of_their_folder()
    {
        var wrong = firn.Assembly.Types
            .Where(t => !t.IsPublic && t.Folder is not null)
            .Select(t => (Type: t, Expected: t.Folder == "" ? "Firn" : $"Firn.{t.Folder}"))
            .Where(t => t.Type.Type.Namespace != t.Expected)
            .Select(t => $"{t.Type.Name} is internal in {FirnLayering.Layout.SourceRoot}{t.Type.Folder}/ ({string.Join(", ", t.Type.Documents)}), so its namespace must be {t.Expected}.")
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    [Fact]
    public void Dependencies_follow_the_layering()
    {
        var violations = LayerChecker.Violations(FirnLayering.Rules, firn.Dependencies);
        Assert.True(violations.Count == 0, Message(
            $"{violations.Select(v => (v.FromType, v.ToType)).Distinct().Count()} type(s) use a type of a layer they may not use; by layer pair, " +
            "the type that uses -> the type it uses, then where:",
            LayerChecker.Report(violations)));
    }

    [Fact]
    public void Layers_form_no_cycle()
    {
        var cycles = LayerChecker.Cycles(firn.Dependencies.Select(d => (d.FromLayer, d.ToLayer)));
        Assert.True(cycles.Count == 0, Message("The layers depend on each other in a cycle (every use, with where it is, is in the report of Dependencies_follow_the_layering):", LayerChecker.CycleReport(cycles, firn.Dependencies)));
    }

    [Fact]
    public void The_checks_see_the_dependencies_that_make_Firn()
    {
        // Guards against a collector that finds nothing and so lets everything pass: the app must reach down the stack.
        var used = firn.Dependencies.Where(d => d.FromType == "Firn.FirnApp").Select(d => d.ToLayer).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string>([FirnLayering.Hosting, FirnLayering.Channels, FirnLayering.Storage, FirnLayering.Rpc], StringComparer.Ordinal), used);
        Assert.Contains(firn.Dependencies, d => d.FromLayer == FirnLayering.Channels && d.ToLayer == FirnLayering.Serialization);
    }

    private static string Message(string heading, string report) =>
        new StringBuilder().AppendLine(heading).AppendLine().Append(report).AppendLine().Append(HowToFix).ToString();
}
