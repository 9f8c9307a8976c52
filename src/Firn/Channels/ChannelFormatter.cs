using Firn.Failures;
using Firn.Serialization;
using MessagePack;
using MessagePack.Formatters;

namespace Firn.Channels;

/// <summary>
/// Finds <see cref="ChannelFormatter{T}"/> for every <see cref="Channel{T}"/>. The formatter's type argument is
/// the message type the reader asked for at compile time, never anything read from the wire.
/// </summary>
internal sealed class ChannelFormatterResolver : IFormatterResolver
{
    public static readonly ChannelFormatterResolver Instance = new();

    public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

    private static class Cache<T>
    {
        public static readonly IMessagePackFormatter<T>? Formatter =
            typeof(T).IsGenericType && typeof(T).GetGenericTypeDefinition() == typeof(Channel<>)
                ? (IMessagePackFormatter<T>)Activator.CreateInstance(typeof(ChannelFormatter<>).MakeGenericType(typeof(T).GetGenericArguments()))!
                : null;
    }
}

/// <summary>
/// Writes a channel as <c>[name, type name]</c>. Reading checks the type name against the expected channel type
/// and opens the channel in the reading app (see <see cref="AppSerializer"/>), as <c>GetChannel</c> would.
/// </summary>
/// <typeparam name="T">The channel's message type.</typeparam>
internal sealed class ChannelFormatter<T> : IMessagePackFormatter<Channel<T>?>
{
    private static readonly string TypeName = TypeNames.Of(typeof(T));

    public void Serialize(ref MessagePackWriter writer, Channel<T>? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteArrayHeader(2);
        writer.Write(value.Name);
        writer.Write(TypeName);
    }

    public Channel<T>? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        options.Security.DepthStep(ref reader);
        var count = reader.ReadArrayHeader();
        if (count != 2)
        {
            throw new MessagePackSerializationException($"A channel inside a message is written as [name, type name]; this one has {count} elements.");
        }

        var name = reader.ReadString() ?? throw new MessagePackSerializationException("A channel inside a message has no name.");
        var typeName = reader.ReadString() ?? throw new MessagePackSerializationException($"Channel '{name}' inside a message has no type name.");
        reader.Depth--;
        if (!string.Equals(typeName, TypeName, StringComparison.Ordinal))
        {
            throw FirnErrors.ChannelInMessageTypeMismatch(name, typeName, TypeName);
        }

        var registry = ChannelReadScope.Current ?? throw new InvalidOperationException(
            $"Channel '{name}' inside a message can only be read by a FirnApp (a received message, store value or publication), not by a serializer called directly.");
        return registry.Get<T>(name, null);
    }
}
