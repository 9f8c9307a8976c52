using Firn.Channels;
using Firn.Transport;

namespace Firn.Routing;

/// <summary>
/// The main process's own channels: they call the router directly (no socket), and the router reaches
/// them through <see cref="LocalPeer"/>.
/// </summary>
internal sealed class LocalRouterLink : IRouterLink
{
    private readonly Router _router;
    private readonly LocalPeer _peer;

    public LocalRouterLink(Router router, ChannelRegistry registry, string processName)
    {
        _router = router;
        _peer = new LocalPeer(registry, processName);
        ProcessName = processName;
    }

    public string ProcessName { get; }

    public bool CarriesTraceContext => true;

    public RouterPeer Peer => _peer;

    public Router Router => _router;

    public ValueTask<ChannelBinding?> OpenAsync(string name, string typeName, bool create, TimeSpan timeout) => _router.OpenAsync(_peer, name, typeName, create);

    // The router takes the copy's hold, and lets go of it when the message is acknowledged.
    public void Send(uint channelId, ReadOnlySpan<byte> payload) => _router.Send(_peer, channelId, PooledBody.HeldCopy(payload));

    public void Attach(uint channelId, int window, ReceiveMode mode) => _router.Attach(_peer, channelId, window, mode);

    public void Ack(uint channelId, int count) => _router.Ack(_peer, channelId, count);

    public void Close(uint channelId) => _router.Close(_peer, channelId);

    public ValueTask<IReadOnlyList<ChannelInfo>> ListAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_router.List());

    private sealed class LocalPeer(ChannelRegistry registry, string processName) : RouterPeer(processName)
    {
        public override bool IsMainProcess => true;

        // The router keeps each payload until it is acknowledged, and the receiver reads it meanwhile: both hold it.
        public override void Deliver(uint channelId, ReadOnlyMemory<byte> payload)
        {
            if (registry.FindById(channelId) is { } endpoint)
            {
                ReceivedBody.AddHolder(payload);
                endpoint.OnDelivered(payload);
            }
        }

        public override void Deliver(uint channelId, ReadOnlySpan<ReadOnlyMemory<byte>> payloads)
        {
            if (registry.FindById(channelId) is { } endpoint)
            {
                foreach (var payload in payloads)
                {
                    ReceivedBody.AddHolder(payload);
                }

                endpoint.OnDelivered(payloads);
            }
        }

        public override void GrantCredit(uint channelId, int count) => registry.FindById(channelId)?.OnCredit(count);

        public override void ReleaseBytes(int bytes) => registry.Budget.Release(bytes);

        public override void GrantCreditsAndBytes(uint channelId, int count, long bytes)
        {
            registry.FindById(channelId)?.OnCredit(count);
            registry.Budget.Release(bytes);
        }

        public override void NotifyClosed(uint channelId) => registry.FindById(channelId)?.OnClosed("closed");

        public override void Violate(string reason) =>
            throw new InvalidOperationException($"Firn's main process broke its own channel protocol: {reason}. This is a bug in Firn.");
    }
}
