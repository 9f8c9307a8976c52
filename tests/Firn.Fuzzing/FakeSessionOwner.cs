using System.Collections.Concurrent;
using Firn.Hosting;

namespace Firn.Fuzzing;

/// <summary>Stands in for the <c>ManagedProcess</c> of a fake child: records the Ready and Control frames it is told about.</summary>
internal sealed class FakeSessionOwner(string name) : ISessionOwner
{
    private readonly ConcurrentQueue<ControlRequest> _controlRequests = new();
    private int _readyCount;

    public string Name { get; } = name;

    public int ReadyCount => Volatile.Read(ref _readyCount);

    public IReadOnlyList<ControlRequest> ControlRequests => [.. _controlRequests];

    public void OnReady(ChildSession session) => Interlocked.Increment(ref _readyCount);

    public void OnControlRequest(ChildSession session, ControlRequest request) => _controlRequests.Enqueue(request);
}
