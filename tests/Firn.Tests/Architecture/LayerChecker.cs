using System.Text;

namespace Firn.Tests.Architecture;

/// <summary>One use of a type by another type in a different layer, with where it happens.</summary>
/// <param name="FromType">The type that uses (its outermost declaring type).</param>
/// <param name="FromLayer">That type's layer.</param>
/// <param name="ToType">The type it uses (its outermost declaring type).</param>
/// <param name="ToLayer">That type's layer.</param>
/// <param name="Where">The member and source line of the use, e.g. "Router.Open body (call ...) at Routing/Router.cs:120".</param>
internal sealed record Dependency(string FromType, string FromLayer, string ToType, string ToLayer, string Where);

/// <summary>A declared layering: each layer with the layers it may use (a layer may always use itself).</summary>
internal sealed class LayerRules
{
    private readonly Dictionary<string, HashSet<string>> _mayUse = new(StringComparer.Ordinal);

    /// <summary>The layers, in declaration order (bottom first by convention), each with the layers it may use.</summary>
    public LayerRules(params (string Layer, string[] MayUse)[] layers)
    {
        foreach (var (layer, mayUse) in layers)
        {
            _mayUse.Add(layer, new HashSet<string>(mayUse, StringComparer.Ordinal));
        }

        foreach (var (layer, mayUse) in layers)
        {
            foreach (var used in mayUse)
            {
                if (!_mayUse.ContainsKey(used))
                {
                    throw new ArgumentException($"Layer {layer} may use {used}, which is not a declared layer.", nameof(layers));
                }
            }
        }

        Layers = [.. layers.Select(l => l.Layer)];
    }

    public IReadOnlyList<string> Layers { get; }

    public bool IsLayer(string layer) => _mayUse.ContainsKey(layer);

    public bool Allows(string from, string to) => from == to || (_mayUse.TryGetValue(from, out var allowed) && allowed.Contains(to));

    /// <summary>The declared table as edges, for checking that the declaration itself has no cycle.</summary>
    public IEnumerable<(string From, string To)> Edges => _mayUse.SelectMany(p => p.Value.Select(to => (p.Key, to)));
}

/// <summary>The checks over a set of dependencies: the allowed table, and cycles in the layer graph.</summary>
internal static class LayerChecker
{
    /// <summary>How many places are named for one type-to-type dependency before "and N more".</summary>
    private const int PlacesShown = 3;

    /// <summary>The dependencies the rules do not allow.</summary>
    public static List<Dependency> Violations(LayerRules rules, IEnumerable<Dependency> dependencies) =>
        [.. dependencies.Where(d => !rules.Allows(d.FromLayer, d.ToLayer))];

    /// <summary>
    /// The cycles of a directed graph: its strongly connected components with more than one node (Tarjan's algorithm),
    /// each sorted, in sorted order. Self-loops are not cycles here (a layer may always use itself).
    /// </summary>
    public static List<List<string>> Cycles(IEnumerable<(string From, string To)> edges)
    {
        var successors = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var (from, to) in edges)
        {
            if (from == to)
            {
                continue;
            }

            Successors(from).Add(to);
            Successors(to);
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var lowLink = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<List<string>>();

        foreach (var node in successors.Keys)
        {
            if (!index.ContainsKey(node))
            {
                Connect(node);
            }
        }

        return [.. components.Where(c => c.Count > 1).Select(c => c.Order(StringComparer.Ordinal).ToList()).OrderBy(c => c[0], StringComparer.Ordinal)];

        SortedSet<string> Successors(string node)
        {
            if (!successors.TryGetValue(node, out var set))
            {
                set = new SortedSet<string>(StringComparer.Ordinal);
                successors.Add(node, set);
            }

            return set;
        }

        void Connect(string node)
        {
            var order = index.Count;
            index[node] = order;
            lowLink[node] = order;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in successors[node])
            {
                if (!index.TryGetValue(next, out var nextOrder))
                {
                    Connect(next);
                    lowLink[node] = Math.Min(lowLink[node], lowLink[next]);
                }
                else if (onStack.Contains(next))
                {
                    lowLink[node] = Math.Min(lowLink[node], nextOrder);
                }
            }

            if (lowLink[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                components.Add(component);
            }
        }
    }

    /// <summary>
    /// The dependencies grouped by layer pair ("Routing -> Hosting"), then by type pair, each with the first few places:
    /// what a developer needs to find and remove each one.
    /// </summary>
    public static string Report(IEnumerable<Dependency> dependencies)
    {
        var text = new StringBuilder();
        foreach (var pair in dependencies.GroupBy(d => (d.FromLayer, d.ToLayer)).OrderBy(g => g.Key.FromLayer, StringComparer.Ordinal).ThenBy(g => g.Key.ToLayer, StringComparer.Ordinal))
        {
            var byType = pair.GroupBy(d => (d.FromType, d.ToType)).OrderBy(g => g.Key.FromType, StringComparer.Ordinal).ThenBy(g => g.Key.ToType, StringComparer.Ordinal).ToList();
            text.AppendLine($"{pair.Key.FromLayer} -> {pair.Key.ToLayer} ({byType.Count} type pair(s)):");
            foreach (var types in byType)
            {
                var places = types.Select(d => d.Where).Distinct(StringComparer.Ordinal).ToList();
                text.AppendLine($"  {types.Key.FromType} -> {types.Key.ToType}");
                foreach (var place in places.Take(PlacesShown))
                {
                    text.AppendLine($"      {place}");
                }

                if (places.Count > PlacesShown)
                {
                    text.AppendLine($"      ... and {places.Count - PlacesShown} more");
                }
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// Each cycle with its edges between layers, thinnest first (usually the ones to cut), each with a few of the type
    /// pairs that make it; the places are in the report of the layering check.
    /// </summary>
    public static string CycleReport(IEnumerable<List<string>> cycles, IReadOnlyCollection<Dependency> dependencies)
    {
        var text = new StringBuilder();
        foreach (var cycle in cycles)
        {
            var members = new HashSet<string>(cycle, StringComparer.Ordinal);
            text.AppendLine($"Cycle among {string.Join(", ", cycle)}; its edges, thinnest first:");
            var edges = dependencies
                .Where(d => members.Contains(d.FromLayer) && members.Contains(d.ToLayer))
                .GroupBy(d => (d.FromLayer, d.ToLayer))
                .Select(g => (Edge: g.Key, Pairs: g.Select(d => $"{d.FromType} -> {d.ToType}").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()))
                .OrderBy(e => e.Pairs.Count)
                .ThenBy(e => e.Edge.FromLayer, StringComparer.Ordinal)
                .ThenBy(e => e.Edge.ToLayer, StringComparer.Ordinal);
            foreach (var (edge, pairs) in edges)
            {
                text.AppendLine($"  {edge.FromLayer} -> {edge.ToLayer} ({pairs.Count} type pair(s)): {string.Join("; ", pairs.Take(PlacesShown))}{(pairs.Count > PlacesShown ? "; ..." : "")}");
            }
        }

        return text.ToString();
    }
}
