namespace Firn.Serialization;

/// <summary>A serializer that writes the primitives (see <see cref="MessagePackPrimitives"/>) exactly as Firn's default serializer does, so its codecs may write them directly.</summary>
internal interface IStandardPrimitives
{
    /// <summary>Whether its primitives have the standard encoding (options can change it).</summary>
    bool HasStandardPrimitives { get; }
}
