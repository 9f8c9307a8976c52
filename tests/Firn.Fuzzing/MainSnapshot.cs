using System.Text;
using Firn.Storage;
using Firn.Transport;

namespace Firn.Fuzzing;

/// <summary>
/// What can be observed of the main process after a child's frames were handled: its channels, store, method table,
/// subscriptions, what the child's owner was told, how the connection ended and every frame the child received.
/// Two snapshots are equal when the main process handled two deliveries of a stream the same way.
/// </summary>
internal sealed record MainSnapshot(string Channels, string Store, string Methods, string Subscriptions, string Owner, string Connection, string Received)
{
    /// <summary>Takes the snapshot; <paramref name="child"/>'s connection should be idle (synced) or ended.</summary>
    public static MainSnapshot Take(DispatcherHarness harness, FakeChild child)
    {
        var app = harness.App;
        var channels = string.Join('\n', app.Router.List().Select(c =>
            $"{c.Name} {c.TypeName} queued={c.Queued} unconsumed={c.Unconsumed} closed={c.IsClosed} members=[{string.Join(',', c.Members.Select(m => $"{m.ProcessName}:{m.Mode}"))}]"));
        var items = app.Store.Execute(new StoreRequest(StoreOperation.GetAll, "*")).Items;
        var store = string.Join('\n', items.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => $"{i.Key} {i.TypeName} {Convert.ToHexString(i.Payload)}"));
        var methods = string.Join('\n', app.RpcTable.Methods.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={m.Value}")) + $"\ncalls={app.RpcTable.Count}";
        var subscriptions = string.Join('\n', app.TopicHub.Subscriptions().Select(s => $"{s.Key}=[{string.Join(',', s.Subscribers)}]"));
        var owner = $"ready={child.Owner.ReadyCount} control=[{string.Join(',', child.Owner.ControlRequests)}]";
        var connection = child.Closed.IsCompleted ? $"closed: {child.Closed.Result}" : "open";
        return new MainSnapshot(channels, store, methods, subscriptions, owner, connection, Normalize(child.Received));
    }

    /// <summary>
    /// The frames a child received, with counter frames (credits), which the main process sums per write batch,
    /// replaced by their totals per id at the end: batching depends on timing, the totals do not.
    /// </summary>
    public static string Normalize(IEnumerable<ReceivedFrame> frames)
    {
        var text = new StringBuilder();
        var counters = new SortedDictionary<(FrameKind, uint), ulong>();
        foreach (var frame in frames)
        {
            if (frame.Kind is FrameKind.SendCredit or FrameKind.RpcInvocationCredit && frame.Body.Length == 8)
            {
                counters.TryGetValue((frame.Kind, frame.Id), out var sum);
                counters[(frame.Kind, frame.Id)] = sum + System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(frame.Body.AsSpan(4));
                continue;
            }

            if (frame.Kind == FrameKind.StoreReply && IsSyncReply(frame))
            {
                continue;
            }

            text.Append(frame).Append('\n');
        }

        foreach (var ((kind, id), sum) in counters)
        {
            text.Append($"{kind}#{id}+={sum}\n");
        }

        return text.ToString();
    }

    /// <summary>Lists the fields that differ from <paramref name="other"/>, for a failure message.</summary>
    public string Diff(MainSnapshot other)
    {
        var lines = new List<string>();
        void Compare(string field, string mine, string theirs)
        {
            if (!string.Equals(mine, theirs, StringComparison.Ordinal))
            {
                lines.Add($"{field}:\n  expected: {mine.Replace("\n", "\n            ", StringComparison.Ordinal)}\n  actual:   {theirs.Replace("\n", "\n            ", StringComparison.Ordinal)}");
            }
        }

        Compare(nameof(Channels), Channels, other.Channels);
        Compare(nameof(Store), Store, other.Store);
        Compare(nameof(Methods), Methods, other.Methods);
        Compare(nameof(Subscriptions), Subscriptions, other.Subscriptions);
        Compare(nameof(Owner), Owner, other.Owner);
        Compare(nameof(Connection), Connection, other.Connection);
        Compare(nameof(Received), Received, other.Received);
        return string.Join('\n', lines);
    }

    /// <summary>Replies to <see cref="FakeChild.SyncAsync"/>'s markers are the harness's, not the stream's.</summary>
    private static bool IsSyncReply(ReceivedFrame frame) => (frame.Id & 0xFFFF_0000) == 0xC0DE_0000;
}
