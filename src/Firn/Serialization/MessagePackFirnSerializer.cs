using System.Buffers;
using System.Runtime.ExceptionServices;
using Firn.Channels;
using MessagePack;
using MessagePack.Resolvers;

namespace Firn.Serialization;

/// <summary>
/// The default serializer: MessagePack with the contractless standard resolver (plain classes and
/// records work without attributes) and the untrusted-data security profile (bounded nesting,
/// collision-resistant hashing). It never reads type names from the wire. A <see cref="Channel{T}"/> inside a
/// message travels as its name and message type name, and the reading process gets its own channel of that name.
/// </summary>
public sealed class MessagePackFirnSerializer : IFirnSerializer
{
    /// <summary>The shared instance.</summary>
    public static MessagePackFirnSerializer Instance { get; } = new();

    private readonly MessagePackSerializerOptions _options;
    private readonly bool _fastPrimitives;

    /// <summary>Creates a serializer with Firn's default options.</summary>
    public MessagePackFirnSerializer()
        : this(MessagePackSerializerOptions.Standard
            .WithResolver(ContractlessStandardResolver.Instance)
            .WithSecurity(MessagePackSecurity.UntrustedData))
    {
        // The standard resolvers encode primitives the standard way, so these may skip the resolver; custom options may not.
        _fastPrimitives = true;
    }

    /// <summary>
    /// Creates a serializer with custom options; Firn puts its <see cref="Channel{T}"/> formatter in front of their resolver.
    /// Do not pass a typeless resolver: it reads .NET type names from the wire.
    /// </summary>
    /// <param name="options">The MessagePack options to use.</param>
    public MessagePackFirnSerializer(MessagePackSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Resolver is TypelessContractlessStandardResolver || options.Resolver is TypelessObjectResolver)
        {
            throw new ArgumentException("A typeless resolver lets the wire choose .NET types; Firn refuses it.", nameof(options));
        }

        _options = options.WithResolver(CompositeResolver.Create(ChannelFormatterResolver.Instance, options.Resolver));
    }

    /// <inheritdoc />
    public void Serialize<T>(IBufferWriter<byte> writer, T value)
    {
        if (_fastPrimitives && MessagePackPrimitives.Handles<T>())
        {
            MessagePackPrimitives.Write(writer, value);
            return;
        }

        MessagePackSerializer.Serialize(writer, value, _options);
    }

    /// <inheritdoc />
    public T Deserialize<T>(ReadOnlyMemory<byte> data)
    {
        if (_fastPrimitives && MessagePackPrimitives.Handles<T>())
        {
            return MessagePackPrimitives.Read<T>(data);
        }

        try
        {
            return MessagePackSerializer.Deserialize<T>(data, _options);
        }
        catch (MessagePackSerializationException ex) when (ex.InnerException is ChannelTypeMismatchException or ChannelClosedException)
        {
            // A channel inside the message could not be used: that error says more than MessagePack's wrapper.
            ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }
}
