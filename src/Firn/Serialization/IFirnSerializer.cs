using System.Buffers;
using Firn.Serialization;

namespace Firn;

/// <summary>
/// Turns message values into bytes and back. Implementations must never let the bytes choose which
/// .NET type is instantiated: the receiver always names the type it expects.
/// </summary>
public interface IFirnSerializer
{
    /// <summary>Writes <paramref name="value"/> to <paramref name="writer"/>.</summary>
    /// <typeparam name="T">The declared message type.</typeparam>
    /// <param name="writer">The destination buffer.</param>
    /// <param name="value">The value to write.</param>
    void Serialize<T>(IBufferWriter<byte> writer, T value);

    /// <summary>Reads a value of type <typeparamref name="T"/> from <paramref name="data"/>.</summary>
    /// <typeparam name="T">The type the receiver expects.</typeparam>
    /// <param name="data">Exactly the bytes one <see cref="Serialize{T}"/> call produced.</param>
    /// <returns>The value.</returns>
    T Deserialize<T>(ReadOnlyMemory<byte> data);
}
