using System.Net.Sockets;

namespace Firn.Transport;

/// <summary>The accept step shared by the socket servers of the main process (the children's socket and the admin socket).</summary>
internal static class ListenerAccept
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Accepts the next connection; <see langword="null"/> once <paramref name="stopping"/> fired or the listener was
    /// disposed. A failure (out of file descriptors, an aborted connection) is reported to <paramref name="onFailure"/> and
    /// the accept retried after 100 ms: the failure is transient, and a dead loop would strand every later client.
    /// </summary>
    public static async Task<Socket?> NextAsync(Socket listener, Action<SocketError> onFailure, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                return await listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return null;
            }
            catch (SocketException ex)
            {
                onFailure(ex.SocketErrorCode);
                await Task.Delay(RetryDelay, CancellationToken.None).ConfigureAwait(false);
            }
        }

        return null;
    }
}
