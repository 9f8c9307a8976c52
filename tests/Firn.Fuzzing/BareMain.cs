using Firn.Channels;
using Firn.Hosting;
using Firn.Routing;
using Firn.Rpc;
using Firn.Serialization;
using Firn.Storage;
using Firn.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Firn.Fuzzing;

/// <summary>
/// The main process's state and frame handlers, wired by <see cref="MainServices.Create"/> as <c>FirnApp</c> wires
/// them, without the app around them: no socket, no timers, no threads of its own. Fed with
/// <see cref="DirectSession"/>s, every input runs the same code the same way, which coverage-guided fuzzing needs.
/// </summary>
internal sealed class BareMain : IDisposable
{
    private readonly List<DirectSession> _sessions = [];

    public BareMain(int maxMessageSize = DispatcherHarness.DefaultMaxMessageSize, int sendWindow = 64)
    {
        MaxBodyLength = maxMessageSize + FrameFormat.EnvelopeAllowance;
        Services = MainServices.Create(
            new Router(sendWindow, ChannelOptions.MaxReceiveBufferSize, NullLogger.Instance),
            new KeyValueStore(MessagePackFirnSerializer.Instance, maxKeys: 10_000, maxBytes: 64L * 1024 * 1024),
            new TopicHub(NullLogger.Instance),
            new RpcTable("main", maxCallsInFlight: 65_536, maxArgumentBytesInFlight: 256L * 1024 * 1024),
            maxMessageSize);
    }

    public MainServices Services { get; }

    public int MaxBodyLength { get; }

    /// <summary>A fake child fed on the calling thread.</summary>
    public DirectSession Connect(string name)
    {
        var session = new DirectSession(name, Services, MaxBodyLength, NullLogger.Instance);
        _sessions.Add(session);
        return session;
    }

    public void Dispose()
    {
        foreach (var session in _sessions)
        {
            session.Dispose();
        }

        _sessions.Clear();
    }
}
