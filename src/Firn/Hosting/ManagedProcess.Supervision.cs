using Firn.Transport;

namespace Firn.Hosting;

/// <content>Watching instances exit, the restart policy, intensity and back-off, and the state machine.</content>
internal sealed partial class ManagedProcess
{
    /// <summary>How long the connection of an exited instance may take to deliver its last frames.</summary>
    private static readonly TimeSpan ExitDrainGrace = TimeSpan.FromSeconds(2);

    /// <summary>How long the output of an exited instance may take to reach its end before the exit is reported.</summary>
    private static readonly TimeSpan OutputDrainGrace = TimeSpan.FromSeconds(1);

    public ProcessStatus GetStatus()
    {
        lock (_lock)
        {
            return StatusLocked();
        }
    }

    private ProcessStatus StatusLocked()
    {
        var alive = _instance is { Process: not null, HasExited: false } && _state is ProcessState.Starting or ProcessState.Running or ProcessState.Stopping;
        return new ProcessStatus(
            Name,
            _state,
            alive ? _instance!.Pid : null,
            _restarts,
            alive ? RestartHistory.Now - _instance!.SpawnedAt : null,
            _lastExitCode,
            _lastExitReason,
            _lastSignal);
    }

    /// <summary>Moves to <paramref name="next"/> and publishes the change. Call under <see cref="_lock"/>.</summary>
    private void Transition(ProcessState next, TimeSpan? restartDelay = null)
    {
        var previous = _state;
        if (previous == next)
        {
            return;
        }

        _state = next;
        _supervisor.Publish(new ProcessStateChangedEventArgs(previous, StatusLocked(), restartDelay));
    }

    /// <summary>Call under <see cref="_lock"/>.</summary>
    private void RecordExit(ProcessExitReason reason, int? code)
    {
        _lastExitReason = reason;
        _lastExitCode = code;
        _lastSignal = code is > 128 and < 128 + 65 ? code - 128 : null;
    }

    private static ProcessExitReason Classify(Instance instance, int code)
    {
        if (instance.Unresponsive)
        {
            return ProcessExitReason.Unresponsive;
        }

        if (instance.StartTimedOut)
        {
            return ProcessExitReason.StartTimeout;
        }

        if (instance.StopRequested)
        {
            return instance.Killed ? ProcessExitReason.Killed : ProcessExitReason.Stopped;
        }

        return code switch
        {
            0 => ProcessExitReason.Completed,
            > 128 and < 128 + 65 => ProcessExitReason.Signaled,
            _ => ProcessExitReason.Crashed,
        };
    }

    private async Task WatchExitAsync(Instance instance)
    {
        var process = instance.Process!;
        await process.WaitForExitAsync().ConfigureAwait(false);
        var code = process.ExitCode;
        lock (_lock)
        {
            instance.HasExited = true;
        }

        // Let its last lines through before its exit is reported.
        await Task.WhenAny(instance.Output, Task.Delay(OutputDrainGrace)).ConfigureAwait(false);
        CloseOutput(instance);

        ChildSession? session;
        Action? next = null;
        lock (_lock)
        {
            session = instance.Session;
            instance.ExitCode = code;
            instance.ExitReason = Classify(instance, code);
            if (ReferenceEquals(_instance, instance))
            {
                _instance = null;
                RecordExit(instance.ExitReason.Value, code);
                switch (_state)
                {
                    case ProcessState.Stopping:
                        Transition(ProcessState.Exited);
                        break;
                    case ProcessState.Running:
                        var ranFor = RestartHistory.Now - (instance.RunningSince ?? RestartHistory.Now);
                        next = SettleAfterExitLocked(instance.ExitReason.Value, ranFor);
                        break;
                    default:
                        // Starting: the start in progress sees the exit and settles the state.
                        break;
                }
            }
        }

        instance.Ready.TrySetException(new InvalidOperationException($"Process '{Name}' exited with code {code} before it became ready."));
        if (session is not null)
        {
            // The dead process's last frames may still be unread in the socket: let the read loop reach
            // the end of the stream on its own, and only force the close if it does not.
            await Task.WhenAny(session.Connection.Closed, Task.Delay(ExitDrainGrace)).ConfigureAwait(false);
            session.Connection.Close(ConnectionCloseReason.RemotePartyTerminated, "the process exited");
        }

        process.Dispose();
        instance.Exited.TrySetResult(code);
        next?.Invoke();
    }

    /// <summary>
    /// Closes the output pipes of an exited instance whose forwarders have not reached the end, which happens when a
    /// process it started keeps the write ends open. Each forwarder disposes its own reader at the end; closing only the
    /// streams here makes a forwarder's pending or next read fail, and it stops (the descriptor itself is released once
    /// a read blocked in the kernel returns).
    /// </summary>
    private static void CloseOutput(Instance instance)
    {
        if (instance.Output.IsCompleted)
        {
            return;
        }

        foreach (var reader in instance.OutputReaders)
        {
            reader.BaseStream.Dispose();
        }
    }

    /// <summary>
    /// Applies the restart policy and intensity to an exit the supervisor did not ask for: Backoff (a restart is
    /// scheduled), Exited, or Failed. Call under <see cref="_lock"/>; run the returned action after releasing it.
    /// </summary>
    private Action? SettleAfterExitLocked(ProcessExitReason reason, TimeSpan ranFor)
    {
        var wanted = Options.Restart switch
        {
            RestartPolicy.Permanent => true,
            RestartPolicy.Transient => reason != ProcessExitReason.Completed,
            _ => false,
        };
        if (!wanted || _supervisor.AppStopping.IsCancellationRequested || _stopsWaiting > 0)
        {
            Transition(ProcessState.Exited);
            return null;
        }

        if (_history.TryRecordRestart(RestartHistory.Now, ranFor, Options) is not { } delay)
        {
            Transition(ProcessState.Failed);
            return () => _ = OnFailedAsync();
        }

        var backoff = new CancellationTokenSource();
        _backoff = backoff;
        Transition(ProcessState.Backoff, delay);
        return () => _ = RestartAfterBackoffAsync(delay, backoff);
    }

    private async Task RestartAfterBackoffAsync(TimeSpan delay, CancellationTokenSource backoff)
    {
        try
        {
            await Task.Delay(delay, backoff.Token).ConfigureAwait(false);
            await _supervisor.RunHooksAsync(Hooks.BeforeRestart, _logger, Name).ConfigureAwait(false);
            await _control.WaitAsync(backoff.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped, started or restarted by someone else meanwhile.
            return;
        }

        var restarted = false;
        Action? next = null;
        try
        {
            lock (_lock)
            {
                if (!ReferenceEquals(_backoff, backoff) || _state != ProcessState.Backoff)
                {
                    return;
                }

                _backoff = null;
                if (_supervisor.AppStopping.IsCancellationRequested)
                {
                    Transition(ProcessState.Exited);
                    return;
                }

                _restarts++;
            }

            var failure = await TryStartInstanceAsync(CancellationToken.None).ConfigureAwait(false);
            lock (_lock)
            {
                if (failure is null)
                {
                    restarted = true;
                }
                else if (failure.Aborted)
                {
                    Transition(ProcessState.Exited);
                }
                else
                {
                    // A failed automatic start counts as another abnormal exit.
                    next = SettleAfterExitLocked(failure.Reason, TimeSpan.Zero);
                }
            }
        }
        finally
        {
            _control.Release();
        }

        next?.Invoke();
        if (restarted)
        {
            await RunAfterRestartHooksAsync().ConfigureAwait(false);
        }
    }

    private async Task OnFailedAsync()
    {
        await _supervisor.RunHooksAsync(Hooks.Failed, _logger, Name).ConfigureAwait(false);
        _supervisor.OnFailed(this);
    }
}
