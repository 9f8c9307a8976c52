namespace Firn.Tests.Architecture;

/// <summary>The layering checks on small made-up graphs, so that they cannot pass by finding nothing.</summary>
public sealed class LayerCheckerTests
{
    [Fact]
    public void A_cycle_is_found_with_every_layer_in_it_and_nothing_else()
    {
        var cycles = LayerChecker.Cycles([("A", "B"), ("B", "C"), ("C", "A"), ("D", "A"), ("C", "E")]);

        var cycle = Assert.Single(cycles);
        Assert.Equal(["A", "B", "C"], cycle);
    }

    [Fact]
    public void Separate_cycles_are_found_separately()
    {
        var cycles = LayerChecker.Cycles([("A", "B"), ("B", "A"), ("B", "C"), ("C", "D"), ("D", "C")]);

        Assert.Equal([["A", "B"], ["C", "D"]], cycles);
    }

    [Fact]
    public void A_graph_without_cycles_has_none_and_a_layer_using_itself_is_no_cycle()
    {
        Assert.Empty(LayerChecker.Cycles([("App", "Hosting"), ("Hosting", "Transport"), ("App", "Transport"), ("Transport", "Transport")]));
    }

    [Fact]
    public void A_dependency_the_rules_do_not_allow_is_a_violation_and_the_report_says_where()
    {
        var rules = new LayerRules(("Low", []), ("High", ["Low"]));
        Dependency[] dependencies =
        [
            new("High.Thing", "High", "Low.Base", "Low", "Thing declaration (base type)"),
            new("Low.Helper", "Low", "High.Thing", "High", "Helper.Run body (newobj Thing..ctor) at Low/Helper.cs:12"),
            new("Low.Helper", "Low", "High.Thing", "High", "Helper.Stop body (call Thing.Stop) at Low/Helper.cs:20"),
        ];

        var violations = LayerChecker.Violations(rules, dependencies);

        Assert.Equal([dependencies[1], dependencies[2]], violations);
        var report = LayerChecker.Report(violations);
        Assert.Contains("Low -> High (1 type pair(s)):", report, StringComparison.Ordinal);
        Assert.Contains("  Low.Helper -> High.Thing", report, StringComparison.Ordinal);
        Assert.Contains("Helper.Run body (newobj Thing..ctor) at Low/Helper.cs:12", report, StringComparison.Ordinal);
        Assert.Contains("Helper.Stop body (call Thing.Stop) at Low/Helper.cs:20", report, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_list_of_places_is_cut_short()
    {
        var dependencies = Enumerable.Range(1, 5).Select(i => new Dependency("A.X", "A", "B.Y", "B", $"X.M{i}")).ToList();

        var report = LayerChecker.Report(dependencies);

        Assert.Contains("X.M3", report, StringComparison.Ordinal);
        Assert.DoesNotContain("X.M4", report, StringComparison.Ordinal);
        Assert.Contains("... and 2 more", report, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cycle_is_reported_with_its_thinnest_edge_first()
    {
        Dependency[] dependencies =
        [
            new("High.A", "High", "Low.B", "Low", "A.M"),
            new("High.C", "High", "Low.D", "Low", "C.M"),
            new("Low.E", "Low", "High.A", "High", "E.M"),
        ];

        var report = LayerChecker.CycleReport(LayerChecker.Cycles(dependencies.Select(d => (d.FromLayer, d.ToLayer))), dependencies);

        Assert.Contains("Cycle among High, Low", report, StringComparison.Ordinal);
        var thin = report.IndexOf("Low -> High (1 type pair(s)): Low.E -> High.A", StringComparison.Ordinal);
        var thick = report.IndexOf("High -> Low (2 type pair(s)): High.A -> Low.B; High.C -> Low.D", StringComparison.Ordinal);
        Assert.True(thin >= 0 && thick > thin, report);
    }

    [Fact]
    public void Rules_naming_an_undeclared_layer_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new LayerRules(("High", ["Low"])));
    }

    [Fact]
    public void Firns_declared_layering_has_no_cycle()
    {
        Assert.Empty(LayerChecker.Cycles(FirnLayering.Rules.Edges));
    }
}
