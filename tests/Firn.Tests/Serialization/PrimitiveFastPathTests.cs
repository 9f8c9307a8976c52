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

    public static TheoryData<string?> Strings => new()
    {
        null, string.Empty, "a", new string('x', 31), new string('x', 32), new string('é', 200), new string('y', 70_000), "日本語 and emoji 🎉",
        new string('x', 255), new string('x', 256), new string('x', 65_535), new string('x', 65_536), "replacement \ufffd and pair \ud83d\ude00",
    };

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
        foreach (var length in new[] { 1, 255, 256, 65_535, 65_536 })
        {
            AssertSame(Enumerable.Range(0, length).Select(i => (byte)i).ToArray());
        }
    }

    [Fact]
    public void Strings_and_bytes_in_any_header_MessagePack_reads_are_read_as_MessagePack_reads_them()
    {
        var serializer = new MessagePackFirnSerializer();
        byte[][] strings =
        [
            [0xd9, 3, (byte)'a', (byte)'b', (byte)'c'],                // str8 for a fixstr-sized string
            [0xda, 0, 3, (byte)'a', (byte)'b', (byte)'c'],             // str16
            [0xdb, 0, 0, 0, 3, (byte)'a', (byte)'b', (byte)'c'],       // str32
            [0xa3, 0xff, 0xfe, (byte)'x'],                             // invalid UTF-8: replacement characters, as MessagePack reads it
            [0xa2, (byte)'o', (byte)'k', 0x01],                        // trailing bytes after the value are ignored, as MessagePack ignores them
        ];
        foreach (var bytes in strings)
        {
            Assert.Equal(MessagePackSerializer.Deserialize<string>(bytes, Reference), serializer.Deserialize<string>(bytes));
        }

        byte[][] binaries = [[0xc5, 0, 2, 7, 8], [0xc6, 0, 0, 0, 1, 9]];
        foreach (var bytes in binaries)
        {
            Assert.Equal(MessagePackSerializer.Deserialize<byte[]>(bytes, Reference), serializer.Deserialize<byte[]>(bytes));
        }
    }

    [Fact]
    public void A_string_or_binary_header_announcing_more_than_is_there_is_an_error()
    {
        var serializer = new MessagePackFirnSerializer();
        byte[][] truncated = [[0xa5, (byte)'a'], [0xd9, 10, (byte)'a'], [0xda, 0xff], [0xdb, 0x7f, 0xff, 0xff, 0xff, (byte)'a'], [0xdb, 0xff, 0xff, 0xff, 0xff]];
        foreach (var bytes in truncated)
        {
            Assert.ThrowsAny<Exception>(() => serializer.Deserialize<string>(bytes));
        }

        Assert.ThrowsAny<Exception>(() => serializer.Deserialize<byte[]>(new byte[] { 0xc4, 5, 1 }));
        Assert.ThrowsAny<Exception>(() => serializer.Deserialize<byte[]>(new byte[] { 0xc6, 0xff, 0xff, 0xff, 0xff }));
    }

    [Theory]
    [MemberData(nameof(Strings))]
    public void Strings_and_null_as_objects_are_written_and_read_as_MessagePack_does_for_object(string? value)
    {
        var serializer = new MessagePackFirnSerializer();
        var fast = Write<object?>(serializer, value);

        Assert.Equal(MessagePackSerializer.Serialize<object?>(value, Reference), fast);
        Assert.Equal(value, serializer.Deserialize<object?>(fast));
    }

    [Fact]
    public void Other_objects_still_go_through_MessagePack_and_read_back_as_MessagePack_reads_them()
    {
        var serializer = new MessagePackFirnSerializer();
        object?[] values = [42, true, 1.5, new byte[] { 1, 2 }, new object[] { "a", 1 }, new Dictionary<object, object> { ["k"] = "v" }];
        foreach (var value in values)
        {
            var bytes = Write(serializer, value);
            Assert.Equal(MessagePackSerializer.Serialize(value, Reference), bytes);
            Assert.Equal(MessagePackSerializer.Deserialize<object?>(bytes, Reference), serializer.Deserialize<object?>(bytes));
        }
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

    [Fact]
    public void A_string_with_a_lone_surrogate_is_refused_at_send_rather_than_changed_to_U_FFFD()
    {
        // MessagePack would write U+FFFD in its place: the receiver would get another string. Both the one-pass and
        // the counted (long) encodings refuse it; a valid pair at the boundary is written as MessagePack writes it.
        var serializer = new MessagePackFirnSerializer();
        var longText = new string('x', 5000);
        foreach (var (text, index) in new[] { ("a\uD800", 1), ("\uDC00b", 0), ("a\uDC00\uD800", 1), (longText + "\uD800", 5000) })
        {
            var buffer = new ArrayBufferWriter<byte>();
            var asString = Assert.Throws<ArgumentException>(() => serializer.Serialize(buffer, text));
            var asObject = Assert.Throws<ArgumentException>(() => serializer.Serialize<object?>(buffer, text));

            Assert.Contains($"lone surrogate (U+{(int)text[index]:X4}) at index {index}", asString.Message, StringComparison.Ordinal);
            Assert.Equal(asString.Message, asObject.Message);
            Assert.Equal(0, buffer.WrittenCount);
        }

        AssertSame("a\uD83D\uDE00");
        AssertSame(longText + "\uD83D\uDE00");
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
