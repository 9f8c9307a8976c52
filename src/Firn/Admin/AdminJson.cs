using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Firn.Admin;

/// <summary>Builds the protocol's JSON lines.</summary>
internal static class AdminJson
{
    /// <summary>Readable output: non-ASCII text and HTML characters stay as they are (the reader is a terminal, not a browser).</summary>
    public static JavaScriptEncoder Encoder => JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>One line: the object <paramref name="body"/> writes, then <c>\n</c>.</summary>
    public static byte[] Line(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Encoder }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Error(long id, string code, string message) => Line(w =>
    {
        w.WriteNumber("id", id);
        w.WriteBoolean("ok", false);
        w.WriteStartObject("error");
        w.WriteString("code", code);
        w.WriteString("message", message);
        w.WriteEndObject();
    });

    public static void WriteTime(Utf8JsonWriter writer, string name, DateTime utc) =>
        writer.WriteString(name, utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));

    public static void WriteNullable(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    public static void WriteNullable(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, Math.Round(v, 3));
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
