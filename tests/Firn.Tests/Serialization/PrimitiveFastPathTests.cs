using System.Buffers;
using Firn.Serialization;
using MessagePack;
using MessagePack.Resolvers;

namespace Firn.Tests.Serialization;

/// <summary>The default serializer's shortcut for primitives writes exactly MessagePack's bytes and reads anything MessagePack wrote.</summary>
public sealed class PrimitiveFastPathTests
{
    private static readonly MessagePackSerializerOptions Reference =
        MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolver.Instance).WithSecurity(MessagePackSecurity.UntrustedData);

    public static TheoryData<string?> Strings => new() { null, string.Empty, "a", new string('x', 31), new string('x', 32), new string('é', 200), new string('y', 70_000), "日本語 and emoji 🎉" };

    [Theory]
    [MemberData(nameof(Strings))]
    public void Strings_are_written_as_MessagePack_writes_them_and_read_back(string? value) => AssertSame(value);

    [Fact]
    public void Numbers_booleans_and_byte_arrays_are_written_as_MessagePack_writes_them_and_read_back()
    {
        foreach (var number in new[] { 0, 1, -1, 127, 128, -33, 255, 256, 65_535, 65_536, int.MaxValue, int.MinValue })
        {
            AssertSame(number);
            AssertSame((long)number);
        }

        AssertSame(long.MaxValue);
        AssertSame(long.MinValue);
        AssertSame(0.5);
        AssertSame(double.NaN);
        AssertSame(true);
        AssertSame(false);
        AssertSame<byte[]?>(null);
        AssertSame(Array.Empty<byte>());
        AssertSame(new byte[100_000]);
    }

    [Fact]
    public void A_payload_of_another_type_is_an_error_not_a_value()
    {
        var serializer = new MessagePackFirnSerializer();
        var text = Write(serializer, "not a number");

        Assert.Throws<MessagePackSerializationException>(() => serializer.Deserialize<int>(text));
        Assert.Throws<MessagePackSerializationException>(() => serializer.Deserialize<string>(Write(serializer, 42)));
        Assert.ThrowsAny<Exception>(() => serializer.Deserialize<string>(new byte[] { 0xdb, 0xff, 0xff, 0xff, 0xff }));
    }

    private static void AssertSame<T>(T value)
    {
        var serializer = new MessagePackFirnSerializer();
        var fast = Write(serializer, value);

        Assert.Equal(MessagePackSerializer.Serialize(value, Reference), fast);
        Assert.Equal(value, serializer.Deserialize<T>(fast));
        Assert.Equal(value, MessagePackSerializer.Deserialize<T>(fast, Reference));
    }

    private static byte[] Write<T>(MessagePackFirnSerializer serializer, T value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        serializer.Serialize(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }
}
