namespace Firn.Storage;

/// <summary>A publication as a process receives it: the topic, the publisher's type name and the serialized data.</summary>
internal readonly record struct Publication(string Topic, string TypeName, byte[] Payload);
