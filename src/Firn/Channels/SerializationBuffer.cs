using System.Buffers;

namespace Firn.Channels;

/// <summary>A per-thread scratch buffer for serializing one message at a time.</summary>
internal static class SerializationBuffer
{
    private const int KeepBelow = 1024 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? s_threadBuffer;

    public static ArrayBufferWriter<byte> Rent()
    {
        var buffer = s_threadBuffer;
        if (buffer is null || buffer.Capacity > KeepBelow)
        {
            buffer = s_threadBuffer = new ArrayBufferWriter<byte>(256);
        }
        else
        {
            buffer.ResetWrittenCount();
        }

        return buffer;
    }
}
