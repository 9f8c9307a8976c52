using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Firn.Channels;
using Firn.Serialization;
using Firn.Transport;

namespace Firn.Rpc;

/// <summary>
/// The arguments of a call as one block: a 2-byte count, then each argument as a 4-byte length and the
/// serializer's bytes. Each argument is serialized on its own, so any <see cref="IFirnSerializer"/> works and
/// the handler reads each one as its parameter's type; no type name travels.
/// </summary>
internal static class RpcArguments
{
    /// <summary>The most arguments a call may pass.</summary>
    public const int MaxCount = 64;

    private static readonly ConcurrentDictionary<Type, ArgumentWriter> Writers = new();

    /// <summary>Serializes one value as <c>T</c>.</summary>
    public delegate void ArgumentWriter(IFirnSerializer serializer, IBufferWriter<byte> destination, object? value);

    /// <summary>The writer that serializes a value as its declared type <paramref name="type"/>.</summary>
    public static ArgumentWriter WriterFor(Type type) =>
        Writers.GetOrAdd(type, static t => typeof(RpcArguments).GetMethod(nameof(WriteAs), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(t).CreateDelegate<ArgumentWriter>());

    /// <summary>Writes <paramref name="args"/> into <paramref name="buffer"/>, each as its own runtime type (or as declared by <paramref name="writers"/>).</summary>
    public static void Write(SerializationBuffer buffer, IFirnSerializer serializer, ReadOnlySpan<object?> args, ArgumentWriter[]? writers = null)
    {
        if (args.Length > MaxCount)
        {
            throw new ArgumentException($"A call passes at most {MaxCount} arguments; this one passes {args.Length}.", nameof(args));
        }

        BinaryPrimitives.WriteUInt16LittleEndian(buffer.GetSpan(2), (ushort)args.Length);
        buffer.Advance(2);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is CancellationToken)
            {
                throw new ArgumentException(
                    "A CancellationToken was passed as a call argument. Pass it as the cancellationToken parameter: CallAsync(method, [arguments], cancellationToken).", nameof(args));
            }

            var lengthAt = buffer.WrittenCount;
            buffer.GetSpan(4);
            buffer.Advance(4);
            var writer = writers?[i] ?? (arg is null ? WriterFor(typeof(object)) : WriterFor(arg.GetType()));
            writer(serializer, buffer, arg);
            var length = buffer.WrittenCount - lengthAt - 4;
            BinaryPrimitives.WriteInt32LittleEndian(buffer.Written[lengthAt..], length);
        }
    }

    /// <summary>Checks that <paramref name="block"/> is a well-formed argument block and returns its argument count.</summary>
    /// <exception cref="ProtocolViolationException">The block is malformed.</exception>
    public static int Validate(ReadOnlySpan<byte> block)
    {
        if (block.Length < 2)
        {
            throw new ProtocolViolationException("call arguments end before their count");
        }

        int count = BinaryPrimitives.ReadUInt16LittleEndian(block);
        if (count > MaxCount)
        {
            throw new ProtocolViolationException($"a call passes {count} arguments; at most {MaxCount} are allowed");
        }

        var position = 2;
        for (var i = 0; i < count; i++)
        {
            if (block.Length - position < 4)
            {
                throw new ProtocolViolationException($"call argument {i} ends before its length");
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(block[position..]);
            position += 4;
            if (length > (uint)(block.Length - position))
            {
                throw new ProtocolViolationException($"call argument {i} announces {length} bytes; {block.Length - position} remain");
            }

            position += (int)length;
        }

        if (position != block.Length)
        {
            throw new ProtocolViolationException($"{block.Length - position} bytes follow the last call argument");
        }

        return count;
    }

    /// <summary>Splits a block into its arguments (slices of <paramref name="block"/>, no copies).</summary>
    /// <exception cref="ProtocolViolationException">The block is malformed.</exception>
    public static ReadOnlyMemory<byte>[] Read(ReadOnlyMemory<byte> block)
    {
        var count = Validate(block.Span);
        var args = count == 0 ? [] : new ReadOnlyMemory<byte>[count];
        var position = 2;
        for (var i = 0; i < count; i++)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(block.Span[position..]);
            args[i] = block.Slice(position + 4, length);
            position += 4 + length;
        }

        return args;
    }

    private static void WriteAs<T>(IFirnSerializer serializer, IBufferWriter<byte> destination, object? value) => serializer.Serialize(destination, (T)value!);
}
