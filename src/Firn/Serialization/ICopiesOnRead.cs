namespace Firn.Serialization;

/// <summary>
/// A serializer whose results never refer to the bytes they were read from (it copies what it keeps), so Firn may reuse
/// those bytes once a read returns. Firn's own serializer is one: MessagePack's formatters copy, since MessagePack itself
/// reads streams into buffers it reuses. Any other serializer may keep a reference, and its input is never reused.
/// </summary>
internal interface ICopiesOnRead
{
}
