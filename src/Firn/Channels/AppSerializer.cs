using System.Buffers;
using Firn.Serialization;

namespace Firn.Channels;

/// <summary>
/// The serializer of one <see cref="FirnApp"/>: the configured serializer, with that app's channel registry in
/// scope while it reads, so a <see cref="Channel{T}"/> inside a message, store value or publication becomes a
/// channel of the app that reads it. Several apps may live in one process (tests do this), so the registry is
/// never global: it is set on the reading thread for the duration of one call.
/// </summary>
internal sealed class AppSerializer : IFirnSerializer, IWrappingSerializer
{
    private readonly IFirnSerializer _inner;
    private readonly ChannelRegistry _registry;

    public AppSerializer(IFirnSerializer inner, ChannelRegistry registry)
    {
        _inner = inner;
        _registry = registry;
    }

    /// <summary>The configured serializer.</summary>
    public IFirnSerializer Inner => _inner;

    public void Serialize<T>(IBufferWriter<byte> writer, T value) => _inner.Serialize(writer, value);

    public T Deserialize<T>(ReadOnlyMemory<byte> data)
    {
        if (MessagePackPrimitives.Handles<T>())
        {
            // No channel can be inside a string, byte array, number or boolean: no scope to set.
            return _inner.Deserialize<T>(data);
        }

        var previous = ChannelReadScope.Current;
        ChannelReadScope.Current = _registry;
        try
        {
            return _inner.Deserialize<T>(data);
        }
        finally
        {
            ChannelReadScope.Current = previous;
        }
    }
}

/// <summary>The channel registry of the app whose serializer is reading on this thread, if any.</summary>
internal static class ChannelReadScope
{
    [ThreadStatic]
    private static ChannelRegistry? s_current;

    public static ChannelRegistry? Current
    {
        get => s_current;
        set => s_current = value;
    }
}
