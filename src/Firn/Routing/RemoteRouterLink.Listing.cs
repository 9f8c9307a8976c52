using System.Collections.Concurrent;
using Firn.Channels;
using Firn.Transport;

namespace Firn.Routing;

/// <content>The channel registry seen from a child: listings are pipelined round trips, like store calls, each bounded by the call timeout.</content>
internal sealed partial class RemoteRouterLink
{
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<IReadOnlyList<ChannelInfo>>> _pendingLists = new();
    private uint _nextListId;

    public async ValueTask<IReadOnlyList<ChannelInfo>> ListAsync(CancellationToken cancellationToken)
    {
        var connection = _main.Connection ?? throw new InvalidOperationException("Not connected to the main process.");
        var requestId = Interlocked.Increment(ref _nextListId);
        var reply = new TaskCompletionSource<IReadOnlyList<ChannelInfo>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingLists[requestId] = reply;
        if (!connection.Send(FrameKind.ListChannels, new BodyWriter().WriteUInt32(requestId).Written))
        {
            _pendingLists.TryRemove(requestId, out _);
            throw ListUnavailable();
        }

        try
        {
            return await reply.Task.WaitAsync(_callTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!reply.Task.IsCompleted)
        {
            _pendingLists.TryRemove(requestId, out _);
            throw new TimeoutException($"The main process did not answer the request to list channels within {_callTimeout} (FirnAppOptions.CallTimeout).");
        }
        catch (OperationCanceledException)
        {
            _pendingLists.TryRemove(requestId, out _);
            throw;
        }
    }

    private static InvalidOperationException ListUnavailable() =>
        new("The channel list is unavailable: the connection to the main process is closed.");

    private void OnChannelList(ReadOnlySpan<byte> body)
    {
        var (requestId, channels, error) = ChannelListCodec.DecodeReply(body);
        if (!_pendingLists.TryRemove(requestId, out var reply))
        {
            return;
        }

        if (channels is not null)
        {
            reply.TrySetResult(channels);
        }
        else
        {
            reply.TrySetException(new InvalidOperationException(error));
        }
    }

    private void FailPendingLists()
    {
        foreach (var id in _pendingLists.Keys)
        {
            if (_pendingLists.TryRemove(id, out var pending))
            {
                pending.TrySetException(ListUnavailable());
            }
        }
    }
}
