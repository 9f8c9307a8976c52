namespace Firn.Tests.Docs;

/// <summary>The C# blocks of README.md and docs/**/*.md.</summary>
internal static class MarkdownCode
{
    /// <summary>The repository root: the first directory above the test binaries that holds Firn.slnx.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The Markdown files whose C# blocks are compiled, relative to the root.</summary>
    public static IReadOnlyList<string> Files()
    {
        var docs = Directory.EnumerateFiles(Path.Combine(RepositoryRoot, "docs"), "*.md", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(RepositoryRoot, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
        return ["README.md", .. docs];
    }

    /// <summary>Every C# block of every file.</summary>
    public static IReadOnlyList<CodeBlock> Blocks() => [.. Files().SelectMany(Blocks)];

    /// <summary>The C# blocks of one file (fences of ``` or longer, indented or not, as in a list item).</summary>
    /// <exception cref="InvalidOperationException">A block is marked C# in a way the test does not know, or is not closed.</exception>
    public static IEnumerable<CodeBlock> Blocks(string file)
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot, file));
        for (var i = 0; i < lines.Length; i++)
        {
            var opening = lines[i].TrimStart();
            if (!opening.StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }

            var indent = lines[i].Length - opening.Length;
            var fence = opening[..(opening.Length - opening.TrimStart('`').Length)];
            var info = opening[fence.Length..].Trim();
            var end = Array.FindIndex(lines, i + 1, l => l.Trim() == fence);
            if (end < 0)
            {
                throw new InvalidOperationException($"{file}:{i + 1}: the block opened here is never closed.");
            }

            if (KindOf(info, file, i + 1) is { } kind)
            {
                var code = lines[(i + 1)..end].Select(l => l.Length - l.TrimStart().Length >= indent ? l[indent..] : l.TrimStart());
                yield return new CodeBlock(file, i + 2, kind, string.Join('\n', code));
            }

            i = end;
        }
    }

    /// <summary>The kind a fence's info string gives, <see langword="null"/> for a block that is not C#.</summary>
    private static CodeBlockKind? KindOf(string info, string file, int line)
    {
        var words = info.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var language = words.FirstOrDefault()?.ToUpperInvariant();
        if (language is not ("CSHARP" or "CS" or "C#"))
        {
            return null;
        }

        return (info.Trim(), words.Length) switch
        {
            ("csharp", 1) => CodeBlockKind.Complete,
            ("csharp fragment", 2) => CodeBlockKind.Fragment,
            _ => throw new InvalidOperationException(
                $"{file}:{line}: a C# block is marked '{info}'; mark it ```csharp (a complete program or file) or ```csharp fragment, so that the docs test compiles it."),
        };
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Firn.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Firn.slnx) was not found above " + AppContext.BaseDirectory);
    }
}
