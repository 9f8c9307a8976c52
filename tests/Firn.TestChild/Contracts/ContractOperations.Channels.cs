namespace Firn.TestChild.Contracts;

/// <content>Channel operations. Most take the channel's name and its message kind first.</content>
public sealed partial class ContractOperations
{
    private async Task<string?> ChannelAsync(string op, string[] a)
    {
        switch (op)
        {
            case "channel.open":
                // args: name, kind, receive buffer size (optional), full mode (optional: "Fail").
                Kind(a[1]).Open(_app, a[0], ChannelOptionsOf(Optional(a, 2), Optional(a, 3)));
                return "opened";

            case "channel.same":
                return ContractValues.Format(Kind(a[1]).Same(_app, a[0]));

            case "channel.send":
                // args: name, kind, value, cancellation id (optional).
                await Kind(a[1]).SendAsync(_app, a[0], a[2], Token(Optional(a, 3) ?? string.Empty));
                return "sent";

            case "channel.send-sync":
                Kind(a[1]).Send(_app, a[0], a[2]);
                return "sent";

            case "channel.try-send":
                return ContractValues.Format(Kind(a[1]).TrySend(_app, a[0], a[2]));

            case "channel.try-send-many":
                // args: name (of ints), first, count. Stops at the first refusal; returns how many were taken.
                var bounded = _app.GetChannel<int>(a[0]);
                var (first, wanted) = (ContractValues.Int(a[1]), ContractValues.Int(a[2]));
                var taken = 0;
                while (taken < wanted && bounded.TrySend(first + taken))
                {
                    taken++;
                }

                return ContractValues.Format(taken);

            case "channel.send-many":
                // args: name (of ints), first, count.
                var numbers = _app.GetChannel<int>(a[0]);
                var (from, count) = (ContractValues.Int(a[1]), ContractValues.Int(a[2]));
                for (var i = from; i < from + count; i++)
                {
                    await numbers.SendAsync(i);
                }

                return "sent";

            case "channel.receive":
                // args: name, kind, timeout in ms (optional), cancellation id (optional).
                return await Kind(a[1]).ReceiveAsync(_app, a[0], ContractValues.Milliseconds(Optional(a, 2) ?? string.Empty), Token(Optional(a, 3) ?? string.Empty));

            case "channel.receive-sync":
                // args: name, kind, timeout in ms.
                return Kind(a[1]).Receive(_app, a[0], ContractValues.Milliseconds(a[2])!.Value);

            case "channel.receive-on-thread":
                // args: name, kind, timeout in ms. Receive on a thread of its own (not the pool's), where it waits on the
                // channel itself rather than on a task.
                return await OnOwnThread(() => Kind(a[1]).Receive(_app, a[0], ContractValues.Milliseconds(a[2])!.Value));

            case "channel.try-receive":
                return Kind(a[1]).TryReceive(_app, a[0]);

            case "channel.receive-ints":
                // args: name, count. Receives 0..count-1 and checks their order.
                var ordered = _app.GetChannel<int>(a[0]);
                for (var expected = 0; expected < ContractValues.Int(a[1]); expected++)
                {
                    var number = await ordered.ReceiveAsync(WaitLimit, CancellationToken.None);
                    if (number != expected)
                    {
                        return $"item {expected} was {number}";
                    }
                }

                return "in order";

            case "channel.read-all":
                // Reads until the channel closes; returns every message, one a line.
                return await Kind(a[1]).ReadAllAsync(_app, a[0], CancellationToken.None);

            case "channel.collect":
                // args: name, kind, collector (also the handle of the passive handler).
                Keep(a[2], Kind(a[1]).Collect(_app, a[0], Collector(a[2])));
                return "collecting";

            case "channel.passive-echo":
                // args: name (of object?), replies (of strings). Handlers with a sync filter, an async filter, and one that throws.
                PassiveEcho(_app.GetChannel<object?>(a[0]), _app.GetChannel<string>(a[1]));
                return "handling";

            case "channel.talk":
                // args: name (of strings), count. Sends count messages and receives on the same channel until count came from elsewhere.
                return await TalkAsync(_app.GetChannel<string>(a[0]), ContractValues.Int(a[1]));

            case "channel.stall":
                // args: name (of ints), receive buffer size. Receives one message, then never again.
                var stalled = _app.GetChannel<int>(a[0], new ChannelOptions { ReceiveBufferSize = ContractValues.Int(a[1]) });
                return ContractValues.Format(await stalled.ReceiveAsync(WaitLimit, CancellationToken.None));

            case "channel.close":
                Kind(a[1]).Close(_app, a[0]);
                return "closed";

            case "channel.state":
                return Kind(a[1]).State(_app, a[0]);

            default:
                throw new ArgumentException($"Unknown channel operation '{op}'.", nameof(op));
        }
    }

    private static Task<string> OnOwnThread(Func<string> work)
    {
        var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try
            {
                done.SetResult(work());
            }
#pragma warning disable CA1031 // Whatever the work threw is the operation's result.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                done.SetException(ex);
            }
        })
        {
            IsBackground = true,
        }.Start();
        return done.Task;
    }

    private static ChannelOptions? ChannelOptionsOf(string? receiveBufferSize, string? fullMode)
    {
        if (receiveBufferSize is null && fullMode is null)
        {
            return null;
        }

        var defaults = new ChannelOptions();
        return new ChannelOptions
        {
            ReceiveBufferSize = receiveBufferSize is null ? defaults.ReceiveBufferSize : ContractValues.Int(receiveBufferSize),
            FullMode = fullMode is null ? defaults.FullMode : Enum.Parse<ChannelFullMode>(fullMode),
        };
    }

    private static void PassiveEcho(Channel<object?> passive, Channel<string> replies)
    {
        passive.OnReceive(message => replies.Send("sync:" + message), message => message is string s && s.StartsWith('a'));
        passive.OnReceive(
            async message =>
            {
                await Task.Yield();
                await replies.SendAsync("async:" + message);
            },
            async message =>
            {
                await Task.Yield();
                return message is string s && s.StartsWith('b');
            });
        passive.OnReceive(_ => throw new InvalidOperationException("handler failure on purpose"), message => message is "crash");
    }

    private async Task<string> TalkAsync(Channel<string> both, int count)
    {
        var ownPrefix = ProcessName + "-";
        var received = 0;
        var own = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var handler = both.OnReceive(message =>
        {
            if (message.StartsWith(ownPrefix, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref own);
            }

            if (Interlocked.Increment(ref received) == count)
            {
                all.TrySetResult();
            }
        });
        for (var i = 0; i < count; i++)
        {
            await both.SendAsync(ownPrefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        await all.Task.WaitAsync(WaitLimit);
        return $"received={Volatile.Read(ref received)} own={Volatile.Read(ref own)}";
    }
}
