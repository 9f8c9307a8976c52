using Firn.Channels;
using Firn.Failures;
using Firn.Transport;

namespace Firn.Routing;

/// <content>The channel registry seen from a child: listings are pipelined round trips, like store calls, each bounded by the call timeout.</content>
internal sealed partial class RemoteRouterLink
{
    private readonly PendingRequests<PendingReply<IReadOnlyList<ChannelInfo>>> _pendingLists = new(static list => FirnErrors.ListTimedOut(list.Timeout));

    public async ValueTask<IReadOnlyList<ChannelInfo>> ListAsync(CancellationToken cancellationToken)
    {
        var connection = _main.Connection ?? throw new InvalidOperationException("Not connected to the main process.");
        var list = new PendingReply<IReadOnlyList<ChannelInfo>>();
        var requestId = _pendingLists.Add(list, _callTimeout);
        if (!connection.Send(FrameKind.ListChannels, new BodyWriter().WriteUInt32(requestId).Written))
        {
            _pendingLists.Remove(requestId);
            throw _main.DisconnectedError("The channel list is unavailable");
        }

        return await _pendingLists.WaitAsync(requestId, list, list.Task, cancellationToken).ConfigureAwait(false);
    }

    private void OnChannelList(ReadOnlySpan<byte> body)
    {
        var (requestId, channels, error) = ChannelListCodec.DecodeReply(body);
        if (!_pendingLists.TryTake(requestId, out var list))
        {
            return;
        }

        if (channels is not null)
        {
            list.TrySetResult(channels);
        }
        else
        {
            list.TrySetException(FirnErrors.ChannelListRefused(error!));
        }
    }
}
