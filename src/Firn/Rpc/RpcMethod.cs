using System.Buffers;
using System.Reflection;
using System.Text;
using Firn.Channels;
using Firn.Failures;
using Firn.Serialization;

namespace Firn.Rpc;

/// <summary>What a handler returns, and so how its result is awaited and sent.</summary>
internal enum RpcReturnShape
{
    /// <summary><c>void</c>: no result.</summary>
    Void,

    /// <summary>A plain value.</summary>
    Value,

    /// <summary><see cref="Task"/>: awaited, no result.</summary>
    Task,

    /// <summary><see cref="Task{TResult}"/>.</summary>
    TaskOfT,

    /// <summary><see cref="ValueTask"/>.</summary>
    ValueTask,

    /// <summary><see cref="ValueTask{TResult}"/>.</summary>
    ValueTaskOfT,

    /// <summary><see cref="IAsyncEnumerable{T}"/>: a stream of items.</summary>
    Stream,
}

/// <summary>
/// One registered handler, analysed once at registration: which parameters come from the call's arguments
/// (each read as its declared type), which are filled in (<see cref="CancellationToken"/>, <see cref="RpcCallContext"/>),
/// and how the return value is awaited and serialized. Unsupported signatures fail at registration, not at call time.
/// </summary>
internal sealed partial class RpcMethod
{
    private readonly Func<object?[], object?> _call;
    private readonly Parameter[] _parameters;
    private readonly int _wireCount;
    private readonly int _requiredWireCount;
    private readonly Func<object, ValueTask<object?>>? _awaitResult;
    private readonly RpcArguments.ArgumentWriter? _resultWriter;
    private readonly StreamPump? _pump;

    private RpcMethod(string name, MethodInfo method, Func<object?[], object?> call)
    {
        if (method.ReturnType == typeof(void) && method.GetCustomAttribute<System.Runtime.CompilerServices.AsyncStateMachineAttribute>() is not null)
        {
            throw new NotSupportedException($"Method '{name}': the handler is async void, so nobody could await it or see its exception. Return Task (or Task<T>) instead.");
        }

        Name = name;
        _call = call;
        var parameters = method.GetParameters();
        _parameters = new Parameter[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            _parameters[i] = Parameter.Create(name, parameters[i]);
            if (_parameters[i].Kind == ParameterKind.Wire)
            {
                _wireCount++;
                if (!parameters[i].HasDefaultValue)
                {
                    _requiredWireCount = _wireCount;
                }
            }
            else
            {
                WantsCancellation = true;
            }
        }

        (Shape, ResultType) = Classify(name, method.ReturnType);
        _awaitResult = Shape switch
        {
            RpcReturnShape.Task => static task => AwaitTask((Task)task),
            RpcReturnShape.ValueTask => static task => AwaitValueTask((ValueTask)task),
            RpcReturnShape.TaskOfT => Generic<Func<object, ValueTask<object?>>>(nameof(AwaitTaskOf), ResultType!),
            RpcReturnShape.ValueTaskOfT => Generic<Func<object, ValueTask<object?>>>(nameof(AwaitValueTaskOf), ResultType!),
            _ => null,
        };
        if (ResultType is not null && Shape != RpcReturnShape.Stream)
        {
            _resultWriter = RpcArguments.WriterFor(ResultType);
        }

        if (Shape == RpcReturnShape.Stream)
        {
            _pump = Generic<StreamPump>(nameof(PumpAsync), ResultType!);
        }

        Signature = Describe(name, parameters);
    }

    /// <summary>Sends one serialized stream item, after waiting for the caller's credit.</summary>
    public delegate ValueTask StreamItemSink(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

    private delegate Task StreamPump(object stream, IFirnSerializer serializer, StreamItemSink sink, CancellationToken cancellationToken);

    public string Name { get; }

    /// <summary>The handler's parameters as the caller must pass them, for error messages.</summary>
    public string Signature { get; }

    public RpcReturnShape Shape { get; }

    /// <summary>The result's (or a stream item's) type; <see langword="null"/> when there is none.</summary>
    public Type? ResultType { get; }

    /// <summary>Whether the handler takes a <see cref="CancellationToken"/> or <see cref="RpcCallContext"/>, so each call needs its own token.</summary>
    public bool WantsCancellation { get; }

    public bool IsStream => Shape == RpcReturnShape.Stream;

    public static RpcMethod FromDelegate(string name, Delegate handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var method = handler.Method;

        // A static method bound to a first argument (an extension-method delegate) cannot be called through its MethodInfo.
        if (method.IsStatic && handler.Target is not null)
        {
            return new RpcMethod(name, method, handler.DynamicInvoke);
        }

        return FromMethod(name, method, handler.Target);
    }

    public static RpcMethod FromMethod(string name, MethodInfo method, object? target)
    {
        if (method.ContainsGenericParameters)
        {
            throw new NotSupportedException($"Method '{name}': generic handlers are not supported ({method}); register a closed method.");
        }

        var invoker = MethodInvoker.Create(method);
        return new RpcMethod(name, method, args => invoker.Invoke(target, args.AsSpan()));
    }

    /// <summary>Reads the call's arguments into the handler's parameters.</summary>
    /// <exception cref="RpcException">The arguments do not fit; the message says how.</exception>
    public object?[] Bind(ReadOnlyMemory<byte>[] args, IFirnSerializer serializer, RpcCallContext? context)
    {
        if (args.Length > _wireCount || args.Length < _requiredWireCount)
        {
            throw FirnErrors.ArgumentCountMismatch(Signature, DescribeCount(), args.Length);
        }

        var values = new object?[_parameters.Length];
        var next = 0;
        for (var i = 0; i < _parameters.Length; i++)
        {
            var parameter = _parameters[i];
            values[i] = parameter.Kind switch
            {
                ParameterKind.Token => context?.CancellationToken ?? CancellationToken.None,
                ParameterKind.Context => context,
                _ => next < args.Length ? parameter.Read(serializer, args[next++], Name) : parameter.DefaultValue,
            };
        }

        return values;
    }

    /// <summary>Calls the handler; its exception (unwrapped) propagates.</summary>
    public object? Invoke(object?[] arguments)
    {
        try
        {
            return _call(arguments);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }

    /// <summary>Awaits what the handler returned (for async shapes) and gives its result.</summary>
    public ValueTask<object?> AwaitAsync(object? returned)
    {
        if (_awaitResult is null)
        {
            return new ValueTask<object?>(returned);
        }

        return returned is null
            ? throw new InvalidOperationException($"The handler of '{Name}' returned a null task.")
            : _awaitResult(returned);
    }

    /// <summary>Serializes a result as the handler's declared result type (nothing for no result).</summary>
    public void WriteResult(IFirnSerializer serializer, IBufferWriter<byte> destination, object? result) =>
        _resultWriter?.Invoke(serializer, destination, result);

    /// <summary>Runs a stream handler's enumerable to its end, sending each item through <paramref name="sink"/>.</summary>
    public Task PumpAsync(object? stream, IFirnSerializer serializer, StreamItemSink sink, CancellationToken cancellationToken) =>
        stream is null
            ? throw new InvalidOperationException($"The handler of '{Name}' returned a null stream.")
            : _pump!(stream, serializer, sink, cancellationToken);

    private string DescribeCount() =>
        _requiredWireCount == _wireCount
            ? $"{_wireCount} argument{(_wireCount == 1 ? string.Empty : "s")}"
            : $"{_requiredWireCount} to {_wireCount} arguments";

    private static (RpcReturnShape Shape, Type? ResultType) Classify(string name, Type type)
    {
        if (type == typeof(void))
        {
            return (RpcReturnShape.Void, null);
        }

        if (type == typeof(Task))
        {
            return (RpcReturnShape.Task, null);
        }

        if (type == typeof(ValueTask))
        {
            return (RpcReturnShape.ValueTask, null);
        }

        if (type.IsByRef || type.IsPointer)
        {
            throw new NotSupportedException($"Method '{name}': a handler cannot return {type}.");
        }

        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            var argument = type.GetGenericArguments()[0];
            if (definition == typeof(Task<>))
            {
                return (RpcReturnShape.TaskOfT, argument);
            }

            if (definition == typeof(ValueTask<>))
            {
                return (RpcReturnShape.ValueTaskOfT, argument);
            }

            if (definition == typeof(IAsyncEnumerable<>))
            {
                return (RpcReturnShape.Stream, argument);
            }
        }

        if (typeof(Task).IsAssignableFrom(type))
        {
            throw new NotSupportedException($"Method '{name}': return Task or Task<T>, not {TypeNames.Of(type)}.");
        }

        return (RpcReturnShape.Value, type);
    }

    private static string Describe(string name, ParameterInfo[] parameters)
    {
        var builder = new StringBuilder("'").Append(name).Append("'(");
        var first = true;
        foreach (var parameter in parameters)
        {
            if (parameter.ParameterType == typeof(CancellationToken) || parameter.ParameterType == typeof(RpcCallContext))
            {
                continue;
            }

            builder.Append(first ? string.Empty : ", ").Append(TypeNames.Of(parameter.ParameterType)).Append(' ').Append(parameter.Name);
            first = false;
        }

        return builder.Append(')').ToString();
    }

    private static T Generic<T>(string helper, Type argument)
        where T : Delegate =>
        typeof(RpcMethod).GetMethod(helper, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(argument).CreateDelegate<T>();

    private static async ValueTask<object?> AwaitTask(Task task)
    {
        await task.ConfigureAwait(false);
        return null;
    }

    private static async ValueTask<object?> AwaitValueTask(ValueTask task)
    {
        await task.ConfigureAwait(false);
        return null;
    }

    private static async ValueTask<object?> AwaitTaskOf<T>(object task) => await ((Task<T>)task).ConfigureAwait(false);

    private static async ValueTask<object?> AwaitValueTaskOf<T>(object task) => await ((ValueTask<T>)task).ConfigureAwait(false);

    private static async Task PumpAsync<T>(object stream, IFirnSerializer serializer, StreamItemSink sink, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        await foreach (var item in ((IAsyncEnumerable<T>)stream).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            buffer.ResetWrittenCount();
            serializer.Serialize(buffer, item);
            await sink(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
    }
}
