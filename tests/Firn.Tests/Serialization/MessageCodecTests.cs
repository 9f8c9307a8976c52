using System.Buffers;
using System.Text;
using Firn.Channels;
using Firn.Serialization;
using Firn.Tests.Support;
using Firn.Transport;
using MessagePack;
using MessagePack.Resolvers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Firn.Tests.Serialization;

/// <summary>The per-type codec skips the serializer only where the default serializer's encoding of primitives is fixed.</summary>
public sealed class MessageCodecTests
{
    [Fact]
    public void The_default_serializer_encodes_primitives_directly_with_the_same_bytes()
    {
        var codec = MessageCodec<string>.For(AppSerializerOf(MessagePackFirnSerializer.Instance));
        var written = new ArrayBufferWriter<byte>();
        codec.Serialize(written, "hello");

        Assert.Equal(MessagePackSerializer.Serialize("hello"), written.WrittenSpan.ToArray());
        Assert.Equal("hello", codec.Deserialize(written.WrittenMemory));
    }

    [Fact]
    public void A_custom_serializer_is_called_for_primitives_too()
    {
        var custom = new ReversingSerializer();
        foreach (var serializer in new IFirnSerializer[] { custom, AppSerializerOf(custom) })
        {
            var codec = MessageCodec<string>.For(serializer);
            var written = new ArrayBufferWriter<byte>();
            codec.Serialize(written, "abc");

            Assert.Equal("cba"u8.ToArray(), written.WrittenSpan.ToArray());
            Assert.Equal("abc", codec.Deserialize(written.WrittenMemory));
        }

        Assert.Equal(4, custom.Calls);
    }

    [Fact]
    public void Custom_MessagePack_options_are_used_for_primitives()
    {
        var options = MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolver.Instance)
            .WithCompression(MessagePackCompression.Lz4BlockArray);
        var codec = MessageCodec<string>.For(AppSerializerOf(new MessagePackFirnSerializer(options)));
        var text = new string('z', 10_000);
        var written = new ArrayBufferWriter<byte>();
        codec.Serialize(written, text);

        Assert.True(written.WrittenCount < 1_000, $"{written.WrittenCount} bytes: the compressing options were not used");
        Assert.Equal(text, codec.Deserialize(written.WrittenMemory));
    }

    private static IFirnSerializer AppSerializerOf(IFirnSerializer serializer) =>
        new ChannelRegistry(serializer, new MessageSizeLimit(1024 * 1024), NullLoggerFactory.Instance, TestApps.Timeout, OutboundBuffer.DefaultHardLimit).Serializer;

    /// <summary>Writes strings as reversed UTF-8, nothing like MessagePack, so a skipped call shows.</summary>
    private sealed class ReversingSerializer : IFirnSerializer
    {
        public int Calls { get; private set; }

        public void Serialize<T>(IBufferWriter<byte> writer, T value)
        {
            Calls++;
            var bytes = Encoding.UTF8.GetBytes((string)(object)value!);
            Array.Reverse(bytes);
            writer.Write(bytes);
        }

        public T Deserialize<T>(ReadOnlyMemory<byte> data)
        {
            Calls++;
            var bytes = data.ToArray();
            Array.Reverse(bytes);
            return (T)(object)Encoding.UTF8.GetString(bytes);
        }
    }
}
