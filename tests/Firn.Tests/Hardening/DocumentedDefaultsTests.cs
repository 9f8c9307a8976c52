namespace Firn.Tests.Hardening;

/// <summary>The security defaults are what docs/SECURITY.md and the README say they are.</summary>
public sealed class DocumentedDefaultsTests
{
    /// <summary>Each default, as code has it, and the exact text both documents use for it.</summary>
    public static TheoryData<string, object, object, string> Defaults => new()
    {
        { "HandshakeTimeout", new FirnAppOptions().HandshakeTimeout, TimeSpan.FromSeconds(5), "`HandshakeTimeout` (5 s)" },
        { "HeartbeatTimeout", new FirnAppOptions().HeartbeatTimeout, TimeSpan.FromSeconds(10), "`HeartbeatTimeout` (10 s" },
        { "ConnectionBufferLimit", new FirnAppOptions().ConnectionBufferLimit, 256 * 1024 * 1024, "`ConnectionBufferLimit` (256 MiB)" },
    };

    [Theory]
    [MemberData(nameof(Defaults))]
    public void A_security_default_matches_the_documents(string option, object actual, object documented, string text)
    {
        Assert.Equal(documented, actual);
        Assert.Contains(text, Read("docs/SECURITY.md"), StringComparison.Ordinal);
        Assert.True(Read("README.md").Contains(text, StringComparison.Ordinal), $"the README does not state {option} as {text}");
    }

    [Fact]
    public void The_handshake_row_of_the_security_document_names_the_5_s_timeout()
    {
        var row = Read("docs/SECURITY.md").Split('\n').Single(l => l.StartsWith("| connecting |", StringComparison.Ordinal));

        Assert.Contains("`HandshakeTimeout` (5 s) to authenticate", row, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(5), new FirnAppOptions().HandshakeTimeout);
    }

    /// <summary>A file of the repository, found by walking up from the test binaries to the solution.</summary>
    private static string Read(string relativePath)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Firn.slnx")))
            {
                return File.ReadAllText(Path.Combine(directory.FullName, relativePath));
            }
        }

        throw new FileNotFoundException($"No Firn.slnx above {AppContext.BaseDirectory}, so {relativePath} cannot be found.");
    }
}
