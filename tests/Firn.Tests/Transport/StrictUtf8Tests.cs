using Firn.Transport;

namespace Firn.Tests.Transport;

/// <summary>Strings in control frames are well-formed UTF-8 both ways: a lone surrogate is never sent as U+FFFD, which would read as another name.</summary>
public sealed class StrictUtf8Tests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Writer_refuses_a_lone_surrogate_and_writes_nothing_of_the_string(int which)
    {
        // Built here, not passed in: xUnit would carry a lone surrogate through UTF-8 and hand over U+FFFD.
        var (text, unit) = which switch
        {
            0 => ("k\uD800", "U+D800"),
            1 => ("k\uDC00x", "U+DC00"),
            _ => ("k\uDC00\uD800", "U+DC00"),
        };
        var writer = new BodyWriter().WriteUInt32(7);

        var error = Assert.Throws<ArgumentException>(() => writer.WriteString(text));

        Assert.Contains($"lone surrogate ({unit}) at index 1", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, writer.Length);
        var reader = new BodyReader(writer.WriteString("k\uD83D\uDE00").Written);
        Assert.Equal(7u, reader.ReadUInt32());
        Assert.Equal("k\uD83D\uDE00", reader.ReadString());
    }

    [Fact]
    public void Text_for_people_writes_a_lone_surrogate_as_U_FFFD_so_a_reply_never_fails()
    {
        var body = new BodyWriter().WriteText("handler said \uD800!").WriteByte(9).Written;

        var reader = new BodyReader(body);
        Assert.Equal("handler said \uFFFD!", reader.ReadString());
        Assert.Equal(9, reader.ReadByte());
    }
}
