using Firn.Tests.Docs;
using Firn.Transport;

namespace Firn.Tests.Protocol;

/// <summary>
/// docs/protocol-vectors holds what the C# codec writes for every frame kind (clients/python checks its codec against
/// the same files in both directions). This test fails when the files and the codec disagree; to regenerate them after
/// a deliberate protocol change, run it with FIRN_UPDATE_PROTOCOL_VECTORS=1 and commit the files.
/// </summary>
public sealed class ProtocolVectorTests
{
    private static readonly string VectorDirectory = Path.Combine(MarkdownCode.RepositoryRoot, "docs", "protocol-vectors");

    [Fact]
    public void The_committed_protocol_vectors_are_what_the_codec_writes()
    {
        var files = ProtocolVectors.Files();
        if (Environment.GetEnvironmentVariable("FIRN_UPDATE_PROTOCOL_VECTORS") == "1")
        {
            Directory.CreateDirectory(VectorDirectory);
            foreach (var stale in Directory.GetFiles(VectorDirectory, "*.json").Where(path => !files.ContainsKey(Path.GetFileName(path))))
            {
                File.Delete(stale);
            }

            foreach (var (name, text) in files)
            {
                File.WriteAllText(Path.Combine(VectorDirectory, name), text);
            }
        }

        var committed = Directory.Exists(VectorDirectory) ? Directory.GetFiles(VectorDirectory, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray() : [];
        Assert.Equal(files.Keys, committed!);
        foreach (var (name, text) in files)
        {
            Assert.True(
                text == File.ReadAllText(Path.Combine(VectorDirectory, name)),
                $"docs/protocol-vectors/{name} differs from what the codec writes now; if the protocol changed on purpose, regenerate with FIRN_UPDATE_PROTOCOL_VECTORS=1.");
        }
    }

    [Fact]
    public void Every_frame_kind_has_vectors()
    {
        var covered = ProtocolVectors.Files().Keys.Where(name => name != "payloads.json").Select(name => name[(name.IndexOf('-', StringComparison.Ordinal) + 1)..^5]);
        Assert.Equal(Enum.GetNames<FrameKind>().Order(StringComparer.Ordinal), covered.Order(StringComparer.Ordinal));
    }
}
