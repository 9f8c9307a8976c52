using Firn.Channels;

namespace Firn;

/// <content>Passive receive mode: handlers run for each message.</content>
public sealed partial class Channel<T>
{
    /// <summary>Runs <paramref name="handler"/> for each message that <paramref name="filter"/> accepts (passive mode).</summary>
    /// <param name="handler">Called once per accepted message; an exception is logged and the next message is handled as usual.</param>
    /// <param name="filter">Decides whether the handler sees a message; <see langword="null"/> accepts all.</param>
    /// <returns>Dispose it to remove the handler.</returns>
    public IDisposable OnReceive(Action<T> handler, Func<T, bool>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return _passive.Add(
            message =>
            {
                handler(message);
                return ValueTask.CompletedTask;
            },
            ToAsyncFilter(filter),
            handler,
            filter);
    }

    /// <summary>Runs an async <paramref name="handler"/> for each message that <paramref name="filter"/> accepts (passive mode).</summary>
    /// <param name="handler">Awaited once per accepted message; an exception is logged and the next message is handled as usual.</param>
    /// <param name="filter">Decides whether the handler sees a message; <see langword="null"/> accepts all.</param>
    /// <returns>Dispose it to remove the handler.</returns>
    public IDisposable OnReceive(Func<T, Task> handler, Func<T, bool>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return _passive.Add(message => new ValueTask(handler(message)), ToAsyncFilter(filter));
    }

    /// <summary>Runs <paramref name="handler"/> for each message that an async <paramref name="filter"/> accepts (passive mode).</summary>
    /// <param name="handler">Called once per accepted message.</param>
    /// <param name="filter">Awaited for each message.</param>
    /// <returns>Dispose it to remove the handler.</returns>
    public IDisposable OnReceive(Action<T> handler, Func<T, Task<bool>> filter)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(filter);
        return _passive.Add(
            message =>
            {
                handler(message);
                return ValueTask.CompletedTask;
            },
            message => new ValueTask<bool>(filter(message)));
    }

    /// <summary>Runs an async <paramref name="handler"/> for each message that an async <paramref name="filter"/> accepts (passive mode).</summary>
    /// <param name="handler">Awaited once per accepted message.</param>
    /// <param name="filter">Awaited for each message.</param>
    /// <returns>Dispose it to remove the handler.</returns>
    public IDisposable OnReceive(Func<T, Task> handler, Func<T, Task<bool>> filter)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(filter);
        return _passive.Add(message => new ValueTask(handler(message)), message => new ValueTask<bool>(filter(message)));
    }

    private static Func<T, ValueTask<bool>>? ToAsyncFilter(Func<T, bool>? filter) =>
        filter is null ? null : message => new ValueTask<bool>(filter(message));
}
