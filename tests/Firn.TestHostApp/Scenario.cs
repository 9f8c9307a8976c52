namespace Firn.TestHostApp;

/// <summary>The scenario the program was started with (its first argument).</summary>
internal sealed record Scenario(string Name);
