using System.Diagnostics;
using System.Runtime.InteropServices;
using Firn.Transport;
using Microsoft.Extensions.Logging;

namespace Firn.Hosting;

/// <summary>
/// Makes a child leave promptly when its main process dies, even by SIGKILL. Three independent signs: the closed
/// connection (handled by <see cref="ChildHost"/>), the kernel's parent-death signal, and a watchdog thread that waits
/// on a pidfd of the main process (readable the moment it has exited) and checks <c>getppid()</c> against
/// <c>FIRN_PARENT_PID</c> at least every <see cref="PollInterval"/>. Once orphaned, the child gets
/// <see cref="HardExitAfter"/> to stop on its own, counted from when it noticed, then the watchdog kills it.
/// </summary>
/// <remarks>
/// The parent-death signal is SIGHUP, requested with <c>PR_SET_PDEATHSIG</c>. Linux sends it when the parent
/// <em>thread</em> that forked this process exits, which can happen while the main process lives on (the main
/// process forks from a dedicated thread to avoid that, see <see cref="ProcessSpawner"/>); so the handler trusts
/// <c>getppid()</c>, not the signal, and ignores a SIGHUP while the expected parent is still this process's parent.
/// A Firn child is always the very process the main process spawned (the handshake checks its pid), so its parent
/// is the main process.
/// <para>
/// .NET runs a SIGHUP handler on the thread pool, which a busy or blocked entry can hold up; the watchdog thread needs
/// no pool. Waiting on the pidfd (where the kernel has <c>pidfd_open</c>, 5.3 and later) wakes it as soon as the main
/// process is gone instead of at its next poll, so the hard deadline never starts late.
/// </para>
/// </remarks>
internal sealed partial class ParentWatch : IDisposable
{
    /// <summary>How often the watchdog compares <c>getppid()</c> with the expected parent (a pidfd wakes it at once when the parent exits).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>How long an orphaned child may take to exit on its own before the watchdog kills it.</summary>
    public static readonly TimeSpan HardExitAfter = TimeSpan.FromMilliseconds(1500);

    private readonly int _parentPid;
    private readonly Action _onOrphaned;
    private readonly ILogger _logger;
    private readonly PosixSignalRegistration _sighup;
    private readonly ManualResetEventSlim _orphaned = new();
    private int _reported;
    private long _orphanedAt;

    private ParentWatch(int parentPid, Action onOrphaned, ILogger logger)
    {
        _parentPid = parentPid;
        _onOrphaned = onOrphaned;
        _logger = logger;
        // A main process started under nohup passes SIGHUP on as ignored, and .NET leaves an ignored signal ignored:
        // the parent-death signal would never reach the handler. Take the default back first.
        _ = NativeMethods.signal(NativeMethods.SIGHUP, 0);
        _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSighup);

        // Ask for the signal only after the handler is in place, then check once: the parent may have died before.
        _ = NativeMethods.prctl(NativeMethods.PR_SET_PDEATHSIG, NativeMethods.SIGHUP, 0, 0, 0);
        new Thread(Watch) { IsBackground = true, Name = "Firn parent watch" }.Start();
    }

    /// <summary>Whether the main process is gone.</summary>
    public bool IsOrphaned => _orphaned.IsSet;

    /// <summary>Starts watching; <paramref name="onOrphaned"/> runs once, on a background thread, when the parent is gone.</summary>
    /// <returns>The watch, or null when the parent pid is unknown.</returns>
    public static ParentWatch? Start(int parentPid, Action onOrphaned, ILogger logger) =>
        parentPid > 0 ? new ParentWatch(parentPid, onOrphaned, logger) : null;

    public void Dispose() => _sighup.Dispose();

    private bool ParentIsGone() => NativeMethods.getppid() != _parentPid;

    private void OnSighup(PosixSignalContext context)
    {
        context.Cancel = true;
        if (ParentIsGone())
        {
            ReportOrphaned();
        }
        else
        {
            LogIgnoredSighup(_parentPid);
        }
    }

    private void Watch()
    {
        var parent = OpenParent();
        try
        {
            while (!_orphaned.IsSet)
            {
                var exited = false;
                if (parent >= 0)
                {
                    // A pidfd becomes readable when the process has exited: the parent is gone, whatever getppid() says yet.
                    var outcome = WaitForExit(parent, PollInterval);
                    exited = outcome > 0;
                    if (outcome < 0)
                    {
                        // Not a pidfd poll can use after all: poll getppid() instead of spinning on the error.
                        _ = NativeMethods.close(parent);
                        parent = -1;
                    }
                }
                else
                {
                    _orphaned.Wait(PollInterval);
                }

                if (exited || ParentIsGone())
                {
                    ReportOrphaned();
                }
            }
        }
        finally
        {
            if (parent >= 0)
            {
                _ = NativeMethods.close(parent);
            }
        }

        // Give the entry and the stop path their chance; a child that still lingers is ended here. The deadline counts
        // from when the child noticed, also when the signal handler noticed first and this thread woke later.
        var remaining = HardExitAfter - Stopwatch.GetElapsedTime(Interlocked.Read(ref _orphanedAt));
        if (remaining > TimeSpan.Zero)
        {
            Thread.Sleep(remaining);
        }

        LogHardExit(HardExitAfter);
        _ = NativeMethods.kill(Environment.ProcessId, NativeMethods.SIGKILL);
    }

    /// <summary>A pidfd of the expected parent, or -1 where the kernel has no <c>pidfd_open</c> (then getppid() is polled).</summary>
    private int OpenParent()
    {
        var fd = NativeMethods.syscall_pid(NativeMethods.SYS_pidfd_open, _parentPid, 0);

        // Opened after the pid could have been reused by another process: only trust it while the parent is ours.
        if (fd >= 0 && ParentIsGone())
        {
            _ = NativeMethods.close(fd);
            ReportOrphaned();
            return -1;
        }

        return fd;
    }

    /// <summary>Waits until the process behind <paramref name="pidfd"/> exits (1) or <paramref name="timeout"/> passes (0); -1 if the poll failed.</summary>
    private static unsafe int WaitForExit(int pidfd, TimeSpan timeout)
    {
        var poll = new NativeMethods.PollFd { Fd = pidfd, Events = NativeMethods.POLLIN };
        var ready = NativeMethods.poll(&poll, 1, (int)timeout.TotalMilliseconds);
        if (ready < 0)
        {
            return Marshal.GetLastPInvokeError() == NativeMethods.EINTR ? 0 : -1;
        }

        return ready == 0 ? 0 : (poll.Revents & NativeMethods.POLLIN) != 0 ? 1 : -1;
    }

    private void ReportOrphaned()
    {
        if (Interlocked.Exchange(ref _reported, 1) != 0)
        {
            return;
        }

        Interlocked.Exchange(ref _orphanedAt, Stopwatch.GetTimestamp());
        LogOrphaned(_parentPid);
        _orphaned.Set();
        ThreadPool.UnsafeQueueUserWorkItem(static watch => watch._onOrphaned(), this, preferLocal: false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The main process (pid {Pid}) is gone; stopping")]
    private partial void LogOrphaned(int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignored a parent-death signal: the main process (pid {Pid}) is still alive")]
    private partial void LogIgnoredSighup(int pid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Still running {Grace} after the main process died; exiting now")]
    private partial void LogHardExit(TimeSpan grace);
}
