using System.Buffers;

namespace Firn.Serialization;

/// <summary>
/// The encoding of one message type, chosen once per channel or subscription. The serializer's methods are generic
/// virtual methods, which cost a runtime lookup on every call; a stream of small messages feels it, so the hot paths
/// call through this class's plain virtual methods instead, and skip the serializer altogether for the primitives
/// whose encoding Firn's default serializer fixes (see <see cref="MessagePackPrimitives"/>).
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
internal abstract class MessageCodec<T>
{
    /// <summary>The codec for <typeparamref name="T"/> through <paramref name="serializer"/>.</summary>
    public static MessageCodec<T> For(IFirnSerializer serializer) =>
        MessagePackPrimitives.Handles<T>() && HasStandardPrimitives(serializer) ? new PrimitiveCodec() : new SerializerCodec(serializer);

    /// <summary>Writes <paramref name="value"/> to <paramref name="writer"/>.</summary>
    public abstract void Serialize(IBufferWriter<byte> writer, T value);

    /// <summary>Reads one value from exactly the bytes one <see cref="Serialize"/> call produced.</summary>
    public abstract T Deserialize(ReadOnlyMemory<byte> data);

    /// <summary>Whether a value read may refer to the bytes it was read from (then they must never be reused).</summary>
    public abstract bool MayKeepInput { get; }

    private static bool HasStandardPrimitives(IFirnSerializer serializer) =>
        IWrappingSerializer.Unwrap(serializer) is IStandardPrimitives { HasStandardPrimitives: true };

    /// <summary>What the default serializer does for a primitive, called directly.</summary>
    private sealed class PrimitiveCodec : MessageCodec<T>
    {
        public override void Serialize(IBufferWriter<byte> writer, T value) => MessagePackPrimitives.Write(writer, value);

        public override T Deserialize(ReadOnlyMemory<byte> data) => MessagePackPrimitives.Read<T>(data);

        // Strings are decoded and byte arrays copied.
        public override bool MayKeepInput => false;
    }

    /// <summary>Any other type or serializer: the serializer's own methods.</summary>
    private sealed class SerializerCodec(IFirnSerializer serializer) : MessageCodec<T>
    {
        public override void Serialize(IBufferWriter<byte> writer, T value) => serializer.Serialize(writer, value);

        public override T Deserialize(ReadOnlyMemory<byte> data) => serializer.Deserialize<T>(data);

        public override bool MayKeepInput { get; } = !ICopiesOnRead.Promises(serializer);
    }
}
