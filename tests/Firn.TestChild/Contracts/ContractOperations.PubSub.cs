using System.Collections;

namespace Firn.TestChild.Contracts;

/// <content>Pub/sub and event operations.</content>
public sealed partial class ContractOperations
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);

    private async Task<string?> PubSubAsync(string op, string[] a)
    {
        var memory = _app.SharedMemory;
        switch (op)
        {
            case "pubsub.subscribe":
                // args: id (collector and handle), topic or pattern, kind, buffer size (optional), overflow (optional),
                // gate (optional: each handler waits there), failing value (optional: its handler throws).
                // The collector gets "topic=value" per publication handled.
                var collector = Collector(a[0]);
                var gate = Optional(a, 5);
                var failOn = Optional(a, 6);
                var options = Optional(a, 3) is null && Optional(a, 4) is null ? null : new SubscribeOptions
                {
                    BufferSize = Optional(a, 3) is { } size ? ContractValues.Int(size) : SubscribeOptions.Default.BufferSize,
                    Overflow = Optional(a, 4) is { } overflow ? Enum.Parse<SubscriptionOverflow>(overflow) : SubscribeOptions.Default.Overflow,
                };
                var subscription = Kind(a[2]).Subscribe(
                    memory,
                    a[1],
                    async (topic, data) =>
                    {
                        using var running = collector.Enter();
                        await Task.Yield();
                        if (gate is not null)
                        {
                            await Gate(gate).PassAsync(CancellationToken.None);
                        }

                        var text = ContractValues.Format(data);
                        if (text == failOn)
                        {
                            throw new InvalidOperationException($"subscription handler failure on purpose at {text}");
                        }

                        collector.Add($"{topic}={text}");
                    },
                    options);
                _subscriptions[a[0]] = subscription;
                Keep(a[0], subscription);
                return "subscribed";

            case "pubsub.publish":
                // args: topic, kind, value.
                Kind(a[1]).Publish(memory, a[0], a[2]);
                return "published";

            case "pubsub.publish-many":
                // args: topic, first, count (ints).
                for (var i = ContractValues.Int(a[1]); i < ContractValues.Int(a[1]) + ContractValues.Int(a[2]); i++)
                {
                    memory.Publish(a[0], i);
                }

                return "published";

            case "pubsub.stats":
                // args: id. The subscription's counters and the most handlers that ran at once.
                var counted = _subscriptions[a[0]];
                return $"handled={counted.Handled} dropped={counted.Dropped} concurrent={Collector(a[0]).MaxConcurrent}";

            default:
                throw new ArgumentException($"Unknown pub/sub operation '{op}'.", nameof(op));
        }
    }

    private Task<string?> EventsAsync(string op, string[] a)
    {
        var events = _app.Events;
        switch (op)
        {
            case "events.subscribe":
                // args: id (collector and handle), name or pattern, kind. The collector gets "name=data as kind (shape of Data)".
                var collector = Collector(a[0]);
                var kind = Kind(a[2]);
                Keep(a[0], events.Subscribe(a[1], received => collector.Add($"{received.Name}={kind.EventData(received)} ({Shape(received.Data)})")));
                return Task.FromResult<string?>("subscribed");

            case "events.publish":
                // args: name, kind, value; Publish(name, data).
                Kind(a[1]).PublishEvent(events, a[0], a[2], asEvent: false);
                return Task.FromResult<string?>("published");

            case "events.publish-event":
                // args: name, kind, value; Publish(new Event(name, data)).
                Kind(a[1]).PublishEvent(events, a[0], a[2], asEvent: true);
                return Task.FromResult<string?>("published");

            case "events.publish-points":
                // args: name, count. Points (0,0), (1,1), ... in order.
                for (var i = 0; i < ContractValues.Int(a[1]); i++)
                {
                    events.Publish(a[0], new Point(i, i));
                }

                return Task.FromResult<string?>("published");

            default:
                throw new ArgumentException($"Unknown event operation '{op}'.", nameof(op));
        }
    }

    /// <summary>What a received event's untyped data is: a map, a list, a number, a string or null.</summary>
    private static string Shape(object? data) => data switch
    {
        null => "null",
        string => "string",
        IDictionary => "map",
        IEnumerable => "list",
        _ => "number",
    };
}
