using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Firn.Admin;

/// <summary>One remembered log line.</summary>
internal sealed record AdminLogLine(long Sequence, DateTime Time, string Process, LogLevel Level, string? Category, string Message);

/// <summary>
/// The most recent log lines of each process (the main process's own included), at most <see cref="Capacity"/> per
/// process, oldest dropped first; and the followers of <c>logs --follow</c>, each fed through a bounded queue so a slow
/// operator's tool never holds up the app's logging.
/// </summary>
internal sealed class AdminLogRing
{
    /// <summary>Lines a follower may fall behind by before it loses the oldest.</summary>
    public const int FollowerBuffer = 10_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<AdminLogLine>> _byProcess = new(StringComparer.Ordinal);
    private readonly List<Follower> _followers = [];
    private long _sequence;

    public AdminLogRing(int capacity) => Capacity = capacity;

    public int Capacity { get; }

    public void Add(DateTime time, string process, LogLevel level, string? category, string message)
    {
        lock (_lock)
        {
            var line = new AdminLogLine(++_sequence, time, process, level, category, message);
            if (!_byProcess.TryGetValue(process, out var ring))
            {
                ring = new Queue<AdminLogLine>();
                _byProcess.Add(process, ring);
            }

            if (ring.Count == Capacity)
            {
                ring.Dequeue();
            }

            ring.Enqueue(line);
            foreach (var follower in _followers)
            {
                if (follower.Process is null || string.Equals(follower.Process, process, StringComparison.Ordinal))
                {
                    follower.Lines.Writer.TryWrite(line);
                }
            }
        }
    }

    /// <summary>
    /// The last <paramref name="count"/> lines of <paramref name="process"/> (or of every process, in the order they
    /// were logged); with <paramref name="follow"/>, also a reader of every later line, from the same instant.
    /// </summary>
    public IReadOnlyList<AdminLogLine> Snapshot(string? process, int count, bool follow, out ChannelReader<AdminLogLine>? later, out IDisposable? unfollow)
    {
        later = null;
        unfollow = null;
        lock (_lock)
        {
            IEnumerable<AdminLogLine> lines = process is null
                ? _byProcess.Values.SelectMany(r => r).OrderBy(l => l.Sequence)
                : _byProcess.TryGetValue(process, out var ring) ? ring : [];
            var list = lines.ToList();
            if (list.Count > count)
            {
                list.RemoveRange(0, list.Count - count);
            }

            if (follow)
            {
                var follower = new Follower(this, process);
                _followers.Add(follower);
                later = follower.Lines.Reader;
                unfollow = follower;
            }

            return list;
        }
    }

    /// <summary>How many lines are kept for <paramref name="process"/>.</summary>
    public int CountOf(string process)
    {
        lock (_lock)
        {
            return _byProcess.TryGetValue(process, out var ring) ? ring.Count : 0;
        }
    }

    private sealed class Follower(AdminLogRing ring, string? process) : IDisposable
    {
        public string? Process { get; } = process;

        public System.Threading.Channels.Channel<AdminLogLine> Lines { get; } = System.Threading.Channels.Channel.CreateBounded<AdminLogLine>(new BoundedChannelOptions(FollowerBuffer)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });

        public void Dispose()
        {
            lock (ring._lock)
            {
                ring._followers.Remove(this);
            }

            Lines.Writer.TryComplete();
        }
    }
}
