using System.Diagnostics;
using System.Net.Sockets;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn.Hosting;

/// <content>
/// Admission at accept time, by the kernel's record of the peer (<c>SO_PEERCRED</c>): only a child instance this
/// process spawned and is waiting for (or the main process itself) may start a handshake. Anyone else is closed
/// before it is given a slot, so a program of the same user cannot hold the slots real children need.
/// </content>
internal sealed partial class MainHost
{
    /// <summary>Refusals of strangers are logged at most this often, so a peer reconnecting in a loop cannot flood the log.</summary>
    private static readonly TimeSpan RefusalLogInterval = TimeSpan.FromSeconds(1);

    private long _lastRefusalLog = long.MinValue;
    private int _refusalsNotLogged;

    /// <summary>The peer's credentials if it may start a handshake; null if it must be closed (and was logged).</summary>
    /// <remarks>Runs on the accept loop only, which is what makes the refusal counters safe without a lock.</remarks>
    private async Task<PeerCredentials?> AdmitAsync(Socket socket)
    {
        PeerCredentials credentials;
        try
        {
            credentials = PeerCredentials.Read(socket);
        }
        catch (SocketException)
        {
            // The peer is already gone.
            return null;
        }

        if (credentials.UserId == PeerCredentials.CurrentUserId)
        {
            if (IsExpected(credentials.ProcessId))
            {
                return credentials;
            }

            // A child connects only after its fork, and its spawn is counted from before the fork until its pid is
            // recorded. So if a spawn queued before now is still running, this peer may be that child: wait for the
            // spawn to return and look again. The accept loop takes nobody else meanwhile (they wait in the listen
            // backlog), so a stranger cannot pile up connections this way; the wait is as long as a Process.Start.
            var spawns = ProcessSpawner.WhenQueuedSpawnsFinished();
            if (!spawns.IsCompleted)
            {
                try
                {
                    await spawns.WaitAsync(_options.HandshakeTimeout, _stopping.Token).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // A spawn that hangs this long is not this peer's: refuse it below.
                }
                catch (OperationCanceledException)
                {
                    return null;
                }

                if (IsExpected(credentials.ProcessId))
                {
                    return credentials;
                }
            }
        }

        LogStranger(credentials);
        return null;
    }

    /// <summary>
    /// A spawned instance waiting for its connection, or the main process itself: it is the app, and its own
    /// code (diagnostics, tests) may speak the handshake, which refuses it in the end since it is not a child.
    /// </summary>
    private bool IsExpected(int pid) => pid == Environment.ProcessId || _isStartingChild(pid);

    private bool TryTakeSlot(int pid)
    {
        lock (_pendingByProcess)
        {
            var count = _pendingByProcess.GetValueOrDefault(pid);
            if (count >= MaxPendingConnections)
            {
                return false;
            }

            _pendingByProcess[pid] = count + 1;
            _pending++;
            return true;
        }
    }

    private void ReleaseSlot(int pid)
    {
        lock (_pendingByProcess)
        {
            var count = _pendingByProcess[pid] - 1;
            if (count == 0)
            {
                _pendingByProcess.Remove(pid);
            }
            else
            {
                _pendingByProcess[pid] = count;
            }

            _pending--;
        }
    }

    private void LogStranger(PeerCredentials credentials)
    {
        _refusalsNotLogged++;
        var now = Stopwatch.GetTimestamp();
        if (_lastRefusalLog != long.MinValue && Stopwatch.GetElapsedTime(_lastRefusalLog, now) < RefusalLogInterval)
        {
            return;
        }

        _lastRefusalLog = now;
        LogRefusedStranger(credentials.ProcessId, credentials.UserId, _refusalsNotLogged);
        _refusalsNotLogged = 0;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a connection from pid {Pid} (uid {Uid}): it is not a child being started ({Count} such connection(s) refused since the last of these lines)")]
    private partial void LogRefusedStranger(int pid, uint uid, int count);
}
