namespace Firn.Tests.Docs;

/// <summary>
/// Every C# block of README.md and docs/**/*.md compiles against the current Firn: ```csharp blocks exactly as shown,
/// ```csharp fragment blocks as the statements of a program that declares <see cref="DocsPrelude"/>'s names.
/// </summary>
public sealed class DocsCodeTests
{
    /// <summary>One case per block, named by its file and line.</summary>
    public static TheoryData<string, int> Blocks()
    {
        var data = new TheoryData<string, int>();
        foreach (var block in MarkdownCode.Blocks())
        {
            data.Add(block.File, block.Line);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void A_csharp_block_of_the_docs_compiles(string file, int line)
    {
        var block = MarkdownCode.Blocks(file).Single(b => b.Line == line);

        var problems = DocsCompiler.Compile(block);

        Assert.True(problems.Count == 0, $"The {block.Kind} C# block at {file}:{line} does not compile cleanly:\n{string.Join('\n', problems)}");
    }

    [Fact]
    public void The_README_tour_is_one_complete_program_of_at_most_30_lines()
    {
        var programs = MarkdownCode.Blocks("README.md").Where(b => b.Kind == CodeBlockKind.Complete).ToList();

        var tour = Assert.Single(programs);
        Assert.Contains("using Firn;", tour.Code, StringComparison.Ordinal);
        Assert.True(tour.Code.Split('\n').Length <= 30, $"The tour at README.md:{tour.Line} has {tour.Code.Split('\n').Length} lines; the README promises at most 30.");
    }

    [Fact]
    public void The_docs_have_csharp_blocks_on_every_feature_page()
    {
        string[] pages = ["docs/channels.md", "docs/storage-and-pubsub.md", "docs/rpc-and-events.md", "docs/supervision.md"];

        var files = MarkdownCode.Blocks().Select(b => b.File).ToHashSet(StringComparer.Ordinal);

        Assert.All(pages, page => Assert.Contains(page, files));
    }
}
