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
    public void The_README_programs_the_tour_and_the_Generic_Host_one_are_complete_and_at_most_30_lines()
    {
        var programs = MarkdownCode.Blocks("README.md").Where(b => b.Kind == CodeBlockKind.Complete).ToList();

        Assert.Equal(2, programs.Count);
        Assert.Contains("new FirnApp()", programs[0].Code, StringComparison.Ordinal);
        Assert.Contains("AddFirn(", programs[1].Code, StringComparison.Ordinal);
        Assert.All(programs, program =>
        {
            Assert.Contains("using Firn;", program.Code, StringComparison.Ordinal);
            Assert.True(program.Code.Split('\n').Length <= 30, $"The program at README.md:{program.Line} has {program.Code.Split('\n').Length} lines; the README promises at most 30.");
        });
    }

    [Fact]
    public void The_docs_have_csharp_blocks_on_every_feature_page()
    {
        string[] pages = ["docs/channels.md", "docs/storage-and-pubsub.md", "docs/rpc-and-events.md", "docs/supervision.md"];

        var files = MarkdownCode.Blocks().Select(b => b.File).ToHashSet(StringComparer.Ordinal);

        Assert.All(pages, page => Assert.Contains(page, files));
    }
}
