namespace Firn.Tests.Architecture.Fixture;

/// <summary>A public type in the fixture's root namespace without method bodies: its folder (Low) comes from the PDB.</summary>
public enum LowKind
{
    /// <summary>The first.</summary>
    First,

    /// <summary>The second.</summary>
    Second,
}
