using System.Buffers;
using System.Runtime.ExceptionServices;
using Firn.Channels;
using Firn.Serialization;
using MessagePack;
using MessagePack.Resolvers;

namespace Firn;

/// <summary>
/// The default serializer: MessagePack with the contractless standard resolver (plain classes and
/// records work without attributes) and the untrusted-data security profile (bounded nesting,
/// collision-resistant hashing). It never reads type names from the wire. A <see cref="Channel{T}"/> inside a
/// message travels as its name and message type name, and the reading process gets its own channel of that name.
/// </summary>
public sealed class MessagePackFirnSerializer : IFirnSerializer, IStandardPrimitives, ICopiesOnRead
{
    /// <summary>The shared instance.</summary>
    public static MessagePackFirnSerializer Instance { get; } = new();

    private readonly bool _fastPrimitives;
    private MessagePackSerializerOptions? _options;

    /// <summary>Creates a serializer with Firn's default options.</summary>
    /// <remarks>
    /// MessagePack's resolvers are built on first use of a type that needs them: their set-up (tens of milliseconds)
    /// would otherwise weigh on the start of every process, though strings, numbers and byte arrays never need it.
    /// </remarks>
    public MessagePackFirnSerializer()
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

        _options = WithChannels(options);
    }

    /// <summary>Whether primitives (see <see cref="MessagePackPrimitives"/>) are encoded the standard way, without the resolver.</summary>
    bool IStandardPrimitives.HasStandardPrimitives => _fastPrimitives;

    /// <summary>With the default options only: the standard formatters copy what they keep, a custom one may not.</summary>
    bool ICopiesOnRead.CopiesOnRead => _fastPrimitives;

    private MessagePackSerializerOptions Options => _options ?? InitializeOptions();

    /// <inheritdoc />
    public void Serialize<T>(IBufferWriter<byte> writer, T value)
    {
        if (_fastPrimitives && MessagePackPrimitives.Handles<T>())
        {
            MessagePackPrimitives.Write(writer, value);
            return;
        }

        if (_fastPrimitives && MessagePackPrimitives.TryWriteObject(writer, value))
        {
            return;
        }

        MessagePackSerializer.Serialize(writer, value, Options);
    }

    /// <inheritdoc />
    public T Deserialize<T>(ReadOnlyMemory<byte> data)
    {
        if (_fastPrimitives && MessagePackPrimitives.Handles<T>())
        {
            return MessagePackPrimitives.Read<T>(data);
        }

        if (_fastPrimitives && MessagePackPrimitives.TryReadObject(data.Span, out T? value))
        {
            return value!;
        }

        try
        {
            return MessagePackSerializer.Deserialize<T>(data, Options);
        }
        catch (MessagePackSerializationException ex) when (ex.InnerException is ChannelTypeMismatchException or ChannelClosedException)
        {
            // A channel inside the message could not be used: that error says more than MessagePack's wrapper.
            ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    private static MessagePackSerializerOptions WithChannels(MessagePackSerializerOptions options) =>
        options.WithResolver(CompositeResolver.Create(ChannelFormatterResolver.Instance, options.Resolver));

    private MessagePackSerializerOptions InitializeOptions()
    {
        var options = WithChannels(MessagePackSerializerOptions.Standard
            .WithResolver(ContractlessStandardResolver.Instance)
            .WithSecurity(MessagePackSecurity.UntrustedData));

        // Racing first uses may each build options; they are equal, and one of them is kept.
        return Interlocked.CompareExchange(ref _options, options, null) ?? options;
    }
}
