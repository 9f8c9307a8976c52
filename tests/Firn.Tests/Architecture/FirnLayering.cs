namespace Firn.Tests.Architecture;

/// <summary>
/// Firn's layering, as docs/ARCHITECTURE.md draws it. A type's layer is the folder of its source files under src/Firn/
/// (files at the root are the App layer). Bottom to top:
/// <code>
/// Failures, Diagnostics, Meters
/// Transport -> Tracing -> Serialization -> Channels -> Routing -> Storage | Rpc -> Events -> Hosting -> Admin -> App
/// </code>
/// Each layer may use every layer below it, except that Storage and Rpc do not use each other. Channels sits below
/// Routing because the router is the main process's back end of the channels (it implements the channels' IRouterLink
/// seam and speaks in their types); Storage and Rpc sit above Channels because they use its message size limit,
/// serialization buffer and type names; Events is built on Storage's pub/sub. Failures (every Firn exception,
/// the disconnect reasons and the one place that builds exceptions) is under everything, so that any layer can fail in
/// the same words. Meters (the app's instruments) is under everything it measures: the layers above record on it, and
/// hand it what its observable instruments read as plain samples, so it depends on none of them. Admin (the operators'
/// socket) sits right under App: it reads and drives everything below (children, router, store, RPC), and the app
/// hands it what it needs of itself as plain delegates.
/// </summary>
internal static class FirnLayering
{
    public const string Shared = "Failures";
    public const string Diagnostics = "Diagnostics";
    public const string Meters = "Meters";
    public const string Transport = "Transport";
    public const string Tracing = "Tracing";
    public const string Serialization = "Serialization";
    public const string Channels = "Channels";
    public const string Routing = "Routing";
    public const string Storage = "Storage";
    public const string Rpc = "Rpc";
    public const string Events = "Events";
    public const string Hosting = "Hosting";
    public const string Admin = "Admin";
    public const string App = "App";

    /// <summary>Each layer with the layers it may use; a layer may always use itself.</summary>
    public static LayerRules Rules { get; } = new(
        (Shared, []),
        (Diagnostics, [Shared]),
        (Meters, [Shared, Diagnostics]),
        (Transport, [Shared, Diagnostics]),
        (Tracing, [Shared, Diagnostics, Transport]),
        (Serialization, [Shared, Diagnostics, Transport, Tracing]),
        (Channels, [Shared, Diagnostics, Meters, Transport, Tracing, Serialization]),
        (Routing, [Shared, Diagnostics, Meters, Transport, Tracing, Serialization, Channels]),
        (Storage, [Shared, Diagnostics, Meters, Transport, Tracing, Serialization, Channels, Routing]),
        (Rpc, [Shared, Diagnostics, Meters, Transport, Tracing, Serialization, Channels, Routing]),
        (Events, [Shared, Diagnostics, Meters, Transport, Tracing, Serialization, Channels, Routing, Storage]),
        (Hosting, [Shared, Diagnostics, Meters, Transport, Tracing, Serialization, Channels, Routing, Storage, Rpc, Events]),
        (Admin, [Shared, Diagnostics, Meters, Transport, Tracing, Serialization, Channels, Routing, Storage, Rpc, Events, Hosting]),
        (App, [Shared, Diagnostics, Meters, Transport, Tracing, Serialization, Channels, Routing, Storage, Rpc, Events, Hosting, Admin]));

    /// <summary>
    /// Root-level types every layer may use, each with the reason. They form the Shared layer, which may use nothing else
    /// in Firn, so they cannot carry a dependency upwards. Keep this list short: a type belongs here only if it is a leaf
    /// that several layers need and no one layer owns.
    /// </summary>
    public static IReadOnlyDictionary<string, string> SharedTypes { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
    };

    /// <summary>
    /// The folders of public root-namespace types without method bodies, for a PDB that does not record their source files.
    /// Roslyn records them (TypeDefinitionDocuments), so this is empty; the test names any type that needs an entry.
    /// </summary>
    public static IReadOnlyDictionary<string, string> BodilessPublicTypes { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public static SourceLayout Layout { get; } = new(
        "src/Firn/",
        "Firn",
        App,
        Rules,
        SharedTypes.ToDictionary(p => p.Key, _ => Shared, StringComparer.Ordinal),
        BodilessPublicTypes);
}
