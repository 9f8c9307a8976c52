namespace Firn.Tests.Docs;

/// <summary>How the docs test compiles a C# block: as it stands, or inside a program that declares the names it uses.</summary>
public enum CodeBlockKind
{
    /// <summary>```csharp: a whole program or file, compiled exactly as shown (with the SDK's implicit usings).</summary>
    Complete,

    /// <summary>```csharp fragment: statements (and types) that use <see cref="DocsPrelude"/>'s names.</summary>
    Fragment,
}

/// <summary>One fenced C# block of a Markdown file.</summary>
/// <param name="File">The file, relative to the repository root, with '/' separators.</param>
/// <param name="Line">The line of the block's first line of code (1-based).</param>
/// <param name="Kind">How it is compiled.</param>
/// <param name="Code">The code between the fences.</param>
public sealed record CodeBlock(string File, int Line, CodeBlockKind Kind, string Code)
{
    /// <summary>How the test lists it.</summary>
    public override string ToString() => $"{File}:{Line}";
}
