namespace Firn.Serialization;

/// <summary>A serializer that adds to another one (the app's serializer reads channels inside messages) and otherwise encodes as it does.</summary>
internal interface IWrappingSerializer
{
    /// <summary>The serializer whose encoding this one keeps.</summary>
    IFirnSerializer Inner { get; }

    /// <summary>The configured serializer: <paramref name="serializer"/>, or the one it wraps.</summary>
    static IFirnSerializer Unwrap(IFirnSerializer serializer) => serializer is IWrappingSerializer wrapping ? wrapping.Inner : serializer;
}
