using System.Globalization;

namespace Firn.TestChild.Contracts;

/// <summary>
/// The typed half of the contract operations: the generic API (channels, store values, publications, events, call
/// results) for one message type named by text: "int", "long", "string", "bytes" (a length), "object" (text, or
/// "i:5" for an int), "point" ("x,y") or "strings" (a list, "a,b").
/// </summary>
internal abstract class ContractKind
{
    public static ContractKind Of(string name) => name switch
    {
        "int" => new Kind<int>(ContractValues.Int),
        "long" => new Kind<long>(ContractValues.Long),
        "string" => new Kind<string>(text => text),
        "bytes" => new Kind<byte[]>(text => new byte[ContractValues.Int(text)]),
        "object" => new Kind<object?>(text => text.StartsWith("i:", StringComparison.Ordinal) ? ContractValues.Int(text[2..]) : text),
        "point" => new Kind<Point>(ContractValues.ParsePoint),
        "strings" => new Kind<List<string>>(text => [.. text.Split(',')]),
        _ => throw new ArgumentException($"Unknown value kind '{name}'.", nameof(name)),
    };

    public abstract void Open(FirnApp app, string name, ChannelOptions? options);

    public abstract bool Same(FirnApp app, string name);

    public abstract ValueTask SendAsync(FirnApp app, string name, string value, CancellationToken token);

    public abstract void Send(FirnApp app, string name, string value);

    public abstract bool TrySend(FirnApp app, string name, string value);

    public abstract Task<string> ReceiveAsync(FirnApp app, string name, TimeSpan? timeout, CancellationToken token);

    public abstract string Receive(FirnApp app, string name, TimeSpan timeout);

    public abstract string TryReceive(FirnApp app, string name);

    public abstract IDisposable Collect(FirnApp app, string name, ContractCollector collector);

    public abstract Task<string> ReadAllAsync(FirnApp app, string name, CancellationToken token);

    public abstract void Close(FirnApp app, string name);

    public abstract string State(FirnApp app, string name);

    public abstract ValueTask SetAsync(SharedMemory memory, string key, string value, TimeSpan? timeToLive);

    public abstract Task<string> GetAsync(SharedMemory memory, string key, string? defaultValue);

    public abstract Task<string> TryGetAsync(SharedMemory memory, string key);

    public abstract ValueTask<bool> CompareAndSetAsync(SharedMemory memory, string key, string expected, string value);

    public abstract ValueTask<bool> SetIfAbsentAsync(SharedMemory memory, string key, string value, TimeSpan? timeToLive);

    public abstract Subscription Subscribe(SharedMemory memory, string topic, Func<string, object?, Task> handler, SubscribeOptions? options);

    public abstract void Publish(SharedMemory memory, string topic, string value);

    public abstract string EventData(Event received);

    public abstract void PublishEvent(EventBus events, string name, string value, bool asEvent);

    public abstract Task<string> CallAsync(RpcEndpoint rpc, string method, object?[] args, TimeSpan? timeout, CancellationToken token);

    public abstract IAsyncEnumerable<string> StreamAsync(RpcEndpoint rpc, string method, object?[] args, CancellationToken token);

    private sealed class Kind<T>(Func<string, T> parse) : ContractKind
    {
        public override void Open(FirnApp app, string name, ChannelOptions? options) => app.GetChannel<T>(name, options);

        public override bool Same(FirnApp app, string name) => ReferenceEquals(app.GetChannel<T>(name), app.GetChannel<T>(name));

        public override ValueTask SendAsync(FirnApp app, string name, string value, CancellationToken token) => app.GetChannel<T>(name).SendAsync(parse(value), token);

        public override void Send(FirnApp app, string name, string value) => app.GetChannel<T>(name).Send(parse(value));

        public override bool TrySend(FirnApp app, string name, string value) => app.GetChannel<T>(name).TrySend(parse(value));

        public override async Task<string> ReceiveAsync(FirnApp app, string name, TimeSpan? timeout, CancellationToken token)
        {
            var channel = app.GetChannel<T>(name);
            var message = timeout is { } limit ? await channel.ReceiveAsync(limit, token) : await channel.ReceiveAsync(token);
            return ContractValues.Format(message);
        }

        public override string Receive(FirnApp app, string name, TimeSpan timeout) => ContractValues.Format(app.GetChannel<T>(name).Receive(timeout));

        public override string TryReceive(FirnApp app, string name) =>
            app.GetChannel<T>(name).TryReceive(out var message) ? "true:" + ContractValues.Format(message) : "false";

        public override IDisposable Collect(FirnApp app, string name, ContractCollector collector) =>
            app.GetChannel<T>(name).OnReceive(message => collector.Add(ContractValues.Format(message)));

        public override async Task<string> ReadAllAsync(FirnApp app, string name, CancellationToken token)
        {
            var items = new List<string>();
            await foreach (var message in app.GetChannel<T>(name).ReadAllAsync(token))
            {
                items.Add(ContractValues.Format(message));
            }

            return string.Join('\n', items);
        }

        public override void Close(FirnApp app, string name) => app.GetChannel<T>(name).Close();

        public override string State(FirnApp app, string name)
        {
            var channel = app.GetChannel<T>(name);
            return $"closed={ContractValues.Format(channel.IsClosed)} mode={channel.Mode} buffered={channel.BufferedCount.ToString(CultureInfo.InvariantCulture)}";
        }

        public override ValueTask SetAsync(SharedMemory memory, string key, string value, TimeSpan? timeToLive) => memory.SetAsync(key, parse(value), timeToLive);

        public override async Task<string> GetAsync(SharedMemory memory, string key, string? defaultValue) =>
            ContractValues.Format(await memory.GetAsync(key, defaultValue is null ? default! : parse(defaultValue)));

        public override async Task<string> TryGetAsync(SharedMemory memory, string key)
        {
            var (found, value) = await memory.TryGetAsync<T>(key);
            return found ? "true:" + ContractValues.Format(value) : "false";
        }

        public override ValueTask<bool> CompareAndSetAsync(SharedMemory memory, string key, string expected, string value) =>
            memory.CompareAndSetAsync(key, parse(expected), parse(value));

        public override ValueTask<bool> SetIfAbsentAsync(SharedMemory memory, string key, string value, TimeSpan? timeToLive) =>
            memory.SetIfAbsentAsync(key, parse(value), timeToLive);

        public override Subscription Subscribe(SharedMemory memory, string topic, Func<string, object?, Task> handler, SubscribeOptions? options) =>
            memory.Subscribe<T>(topic, (actual, data) => handler(actual, data), options);

        public override void Publish(SharedMemory memory, string topic, string value) => memory.Publish(topic, parse(value));

        public override string EventData(Event received) => ContractValues.Format(received.GetData<T>());

        public override void PublishEvent(EventBus events, string name, string value, bool asEvent)
        {
            if (asEvent)
            {
                events.Publish(new Event(name, parse(value)));
            }
            else
            {
                events.Publish(name, parse(value));
            }
        }

        public override async Task<string> CallAsync(RpcEndpoint rpc, string method, object?[] args, TimeSpan? timeout, CancellationToken token)
        {
            var result = timeout is { } limit ? await rpc.CallAsync<T>(method, args, limit, token) : await rpc.CallAsync<T>(method, args, token);
            return ContractValues.Format(result);
        }

        public override async IAsyncEnumerable<string> StreamAsync(RpcEndpoint rpc, string method, object?[] args, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken token)
        {
            await foreach (var item in rpc.StreamAsync<T>(method, args, token))
            {
                yield return ContractValues.Format(item);
            }
        }
    }
}
