using System.Diagnostics;
using Firn.Channels;
using Firn.Serialization;
using Firn.Tracing;
using Firn.Transport;

namespace Firn.Rpc;

/// <content>One running invocation.</content>
internal sealed partial class RpcDispatcher
{
    private sealed class Invocation : IThreadPoolWorkItem, IDisposable
    {
        private readonly RpcDispatcher _owner;
        private readonly RpcMethod _method;
        private readonly string _caller;
        private ReadOnlyMemory<byte> _args;
        private readonly IRpcResponder _responder;
        private readonly CancellationTokenSource? _cancellation;
        private readonly SemaphoreSlim? _credits;
        private readonly ActivityContext _traceParent;
        private int _cancelled;

        public Invocation(RpcDispatcher owner, uint id, RpcMethod method, string caller, ReadOnlyMemory<byte> args, IRpcResponder responder, int credit, ActivityContext traceParent)
        {
            _traceParent = traceParent;
            _owner = owner;
            Id = id;
            _method = method;
            _caller = caller;
            _args = args;
            _responder = responder;
            if (method.WantsCancellation || method.IsStream)
            {
                _cancellation = CancellationTokenSource.CreateLinkedTokenSource(owner._stopping);
            }

            if (method.IsStream)
            {
                _credits = new SemaphoreSlim(credit, int.MaxValue);
            }
        }

        public uint Id { get; }

        /// <summary>Whether a cancellation or credit can reach it (it has its own token).</summary>
        public bool IsTracked => _cancellation is not null;

        public void Cancel()
        {
            // Cancellation callbacks are user code: never run them on the connection's read loop.
            if (Interlocked.Exchange(ref _cancelled, 1) == 0)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static self => self.CancelNow(), this, preferLocal: false);
            }
        }

        public void AddCredit(int count)
        {
            try
            {
                _credits?.Release(count);
            }
            catch (ObjectDisposedException)
            {
                // It finished meanwhile.
            }
        }

        public void Dispose()
        {
            _cancellation?.Dispose();
            _credits?.Dispose();
        }

        public void Execute() => _ = RunAsync();

        private void CancelNow()
        {
            if (_cancellation is not null)
            {
                SafeCancellation.Cancel(_cancellation, _owner._logger, $"a call to '{_method.Name}'");
            }
        }

        private async Task RunAsync()
        {
            using var span = RpcSpans.StartServer(_method.Name, _traceParent);
            var id = Id;
            var start = _owner._metrics.StartServerCall();
            string? error = null;
            try
            {
                var token = _cancellation?.Token ?? CancellationToken.None;
                object?[] arguments;
                // Arguments read by a serializer that may refer to their bytes are never let go.
                var reusable = ICopiesOnRead.Promises(_owner._serializer);
                try
                {
                    var context = _cancellation is null ? null : new RpcCallContext(_method.Name, _caller, token);
                    arguments = _method.Bind(RpcArguments.Read(_args), _owner._serializer, context);
                }
                catch (Exception ex) when (ex is RpcException or ProtocolViolationException)
                {
                    error = nameof(RpcStatus.InvalidArguments);
                    await _owner.Fail(_responder, id, RpcStatus.InvalidArguments, ex.Message).ConfigureAwait(false);
                    return;
                }
                finally
                {
                    // The bytes are read: let them go while the handler runs.
                    if (reusable)
                    {
                        ReceivedBody.Release(_args);
                    }

                    _args = default;
                }

                var returned = _method.Invoke(arguments);
                if (_method.IsStream)
                {
                    await _method.PumpAsync(returned, _owner._serializer, SendItemAsync, token).ConfigureAwait(false);
                    await _responder.CompleteAsync(id, RpcStatus.Ok, default).ConfigureAwait(false);
                    return;
                }

                var result = await _method.AwaitAsync(returned).ConfigureAwait(false);
                var buffer = SerializationBuffer.Rent();
                _method.WriteResult(_owner._serializer, buffer, result);
                if (buffer.WrittenCount > _owner._maxMessageSize.Bytes)
                {
                    error = nameof(RpcStatus.ResultTooLarge);
                    // The handler did not throw: say what happened, not "the handler threw" with no type.
                    await _owner.Fail(_responder, id, RpcStatus.ResultTooLarge,
                        $"The result of '{_method.Name}' serialized to {buffer.WrittenCount} bytes, over the limit of {_owner._maxMessageSize.Bytes} bytes (FirnAppOptions.MaxMessageSize); it was not sent. Return less, or stream it (IAsyncEnumerable<T>).").ConfigureAwait(false);
                    return;
                }

                await _responder.CompleteAsync(id, RpcStatus.Ok, buffer.WrittenSpan).ConfigureAwait(false);
            }
            catch (StreamItemTooLargeException ex)
            {
                error = nameof(RpcStatus.ResultTooLarge);
                await _owner.Fail(_responder, id, RpcStatus.ResultTooLarge, ex.Message).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_owner._stopping.IsCancellationRequested && Volatile.Read(ref _cancelled) == 0)
            {
                // The process is stopping (or restarting) and its token ended the handler: say so, not "a task was cancelled".
                error = nameof(RpcStatus.ProcessExited);
                await _owner.Fail(_responder, id, RpcStatus.ProcessExited, $"Process '{_owner.ProcessName}' stopped while handling the call to '{_method.Name}'; the handler was cancelled.").ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The handler's exception is the call's result: it goes back to the caller.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                error = ex.GetType().FullName;
                RpcSpans.Fail(span, ex);
                _owner.LogHandlerFailed(ex, _method.Name, _caller);
                await _responder.CompleteAsync(id, RpcStatus.RemoteError, RpcError.FromException(_owner.ProcessName, ex).Encode()).ConfigureAwait(false);
            }
            finally
            {
                _owner._metrics.Served(start, _method.Name, error);
                _owner.Finished(this);
                Dispose();
            }
        }

        private async ValueTask SendItemAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
        {
            if (payload.Length > _owner._maxMessageSize.Bytes)
            {
                // Thrown out of the pump, not out of the handler's iterator: it ends the stream with ResultTooLarge.
                throw new StreamItemTooLargeException(
                    $"An item of stream '{_method.Name}' serialized to {payload.Length} bytes, over the limit of {_owner._maxMessageSize.Bytes} bytes (FirnAppOptions.MaxMessageSize); it was not sent and the stream ended.");
            }

            await _credits!.WaitAsync(cancellationToken).ConfigureAwait(false);
            await _responder.StreamItemAsync(Id, payload.Span).ConfigureAwait(false);
        }
    }

    /// <summary>A stream item over the size limit: Firn's own refusal, told apart from whatever the handler throws.</summary>
    private sealed class StreamItemTooLargeException(string message) : Exception(message);
}
