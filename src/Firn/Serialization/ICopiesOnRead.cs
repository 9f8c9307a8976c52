namespace Firn.Serialization;

/// <summary>
/// A serializer that may promise its results never refer to the bytes they were read from (it copies what it keeps), so
/// Firn may reuse those bytes once a read returns. Firn's own serializer with its default options promises it:
/// MessagePack's standard formatters copy. With custom options a formatter may keep a slice of its input, and any other
/// serializer may keep a reference; then the input is never reused.
/// </summary>
internal interface ICopiesOnRead
{
    /// <summary>Whether values read never refer to the bytes they were read from.</summary>
    bool CopiesOnRead { get; }

    /// <summary>Whether <paramref name="serializer"/> (or the one it wraps) promises that values read never refer to their input.</summary>
    static bool Promises(IFirnSerializer serializer) =>
        IWrappingSerializer.Unwrap(serializer) is ICopiesOnRead { CopiesOnRead: true };
}
