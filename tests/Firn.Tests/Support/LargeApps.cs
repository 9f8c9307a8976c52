using System.Globalization;
using Firn.Hosting;

namespace Firn.Tests.Support;

/// <summary>
/// Apps with deliberately tight connection buffers for large payloads (LargeRpcTests, LargeStoreAndPubSubTests): the
/// main process's buffer holds the largest frame and 192 KiB more, a child's (its own FirnAppOptions) less than that,
/// so a producer that is not held to the room of its connection overflows it within a few payloads.
/// </summary>
internal static class LargeApps
{
    public const int MaxMessageSize = 2 * 1024 * 1024;

    /// <summary>The main process's connection buffer: the largest frame, its envelope and 192 KiB more.</summary>
    public const int MainBufferLimit = MaxMessageSize + (256 * 1024);

    /// <summary>Each child's own connection buffer.</summary>
    public const int ChildBufferLimit = MaxMessageSize + (128 * 1024);

    /// <summary>A byte array serializes with a 5-byte header (MessagePack bin 32): a result, item, publication or value of exactly MaxMessageSize.</summary>
    public const int LargestValue = MaxMessageSize - 5;

    /// <summary>A call's argument block is a 2-byte count and a 4-byte length before the argument: one byte array of exactly MaxMessageSize in all.</summary>
    public const int LargestArgument = LargestValue - 6;

    /// <summary>The lengths of each sweep, up to <paramref name="largest"/>.</summary>
    public static int[] Lengths(int largest) => [64 * 1024, 256 * 1024, 1024 * 1024, largest];

    public static FirnApp Create(TestLog log, int mainBufferLimit = MainBufferLimit) =>
        TestApps.Create(log, new FirnAppOptions { MaxMessageSize = MaxMessageSize, ConnectionBufferLimit = mainBufferLimit });

    /// <summary>A test child with the same message size limit and a connection buffer of <see cref="ChildBufferLimit"/>.</summary>
    public static ProcessOptions Child(params string[] args) => TestApps.Child(
        new Dictionary<string, string>
        {
            ["FIRN_TEST_MAX_MESSAGE_SIZE"] = MaxMessageSize.ToString(CultureInfo.InvariantCulture),
            ["FIRN_TEST_CONNECTION_BUFFER_LIMIT"] = ChildBufferLimit.ToString(CultureInfo.InvariantCulture),
        },
        args);

    /// <summary>The arguments that name a sweep: the count of each length, then the lengths.</summary>
    public static string[] Sweep(int count, int[] lengths) => [Text(count), .. lengths.Select(Text)];

    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The main process's log line of a connection that closed, if any did.</summary>
    public static string? ConnectionClosed(TestLog log) =>
        log.Entries.Select(e => e.Message).FirstOrDefault(m => m.StartsWith("Connection to", StringComparison.Ordinal) && m.Contains("closed", StringComparison.Ordinal));

    /// <summary>Every connection stayed open and no child restarted.</summary>
    public static void AssertAllConnected(FirnApp app, TestLog log, params string[] children)
    {
        Assert.True(ConnectionClosed(log) is null, string.Join(Environment.NewLine, log.Entries.Select(e => e.Message)));
        foreach (var child in children)
        {
            var status = app.Supervisor!.GetProcess(child);
            Assert.True(status.State == ProcessState.Running && status.Restarts == 0 && status.LastExitCode is null, $"child '{child}' did not stay connected: {status}");
        }
    }
}
