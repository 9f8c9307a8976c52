using System.Buffers;
using System.Globalization;
using System.Text.Json;
using MessagePack;

namespace Firn.Admin;

/// <summary>
/// MessagePack shown as JSON by its structure (maps keyed by property names, as the default serializer writes records;
/// binary as base64), and JSON written as MessagePack, for values whose .NET type the main process does not have.
/// </summary>
internal static class MessagePackJson
{
    private const int MaxDepth = 64;

    /// <summary>Writes <paramref name="data"/> as one JSON value; bytes that are not one MessagePack value are shown as a base64 string.</summary>
    public static void Write(Utf8JsonWriter writer, ReadOnlyMemory<byte> data)
    {
        if (data.IsEmpty)
        {
            writer.WriteNullValue();
            return;
        }

        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = AdminJson.Encoder, SkipValidation = false }))
            {
                var reader = new MessagePackReader(data);
                WriteValue(json, ref reader, 0);
                if (!reader.End)
                {
                    throw new MessagePackSerializationException("bytes follow the value");
                }
            }

            writer.WriteRawValue(buffer.WrittenSpan, skipInputValidation: true);
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or InvalidOperationException or ArgumentException)
        {
            writer.WriteBase64StringValue(data.Span);
        }
    }

    /// <summary>The MessagePack form of a JSON value.</summary>
    public static byte[] FromJson(JsonElement value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        try
        {
            WriteJson(ref writer, value, 0);
        }
        catch (InvalidOperationException)
        {
            // JsonElement.GetString and JsonProperty.Name on a lone surrogate escape: valid JSON, not valid text.
            throw AdminException.BadRequest("a string in the value is not well-formed text (it holds a lone surrogate)");
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A JSON number as a double; one beyond double's range (1e400: it would be infinity) is a bad request.</summary>
    public static double FiniteDouble(JsonElement value) =>
        value.TryGetDouble(out var number) && double.IsFinite(number)
            ? number
            : throw AdminException.BadRequest("a number is beyond the range of a double (about ±1.8e308)");

    /// <summary>
    /// Refuses a JSON integer (written without a fraction or exponent) beyond what a 64-bit integer holds: read as a
    /// double it would change value without a word. A number written with a fraction or an exponent is a double.
    /// </summary>
    public static void RequireIntegerInRange(JsonElement value)
    {
        if (value.GetRawText().AsSpan().IndexOfAny(".eE") < 0)
        {
            throw AdminException.BadRequest($"the integer {AdminText.Quote(value.GetRawText())} is beyond the range of a 64-bit integer; write it with an exponent (1.8e19) to store a double");
        }
    }

    /// <summary>A double as MessagePack's float64, as the serializer writes <see cref="double"/> (a JSON number like 2.0 included).</summary>
    public static byte[] DoubleBytes(double value)
    {
        var buffer = new ArrayBufferWriter<byte>(9);
        var writer = new MessagePackWriter(buffer);
        writer.Write(value);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteValue(Utf8JsonWriter json, ref MessagePackReader reader, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new MessagePackSerializationException("nested too deeply");
        }

        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                json.WriteNullValue();
                break;
            case MessagePackType.Boolean:
                json.WriteBooleanValue(reader.ReadBoolean());
                break;
            case MessagePackType.Integer:
                if (reader.NextCode == MessagePackCode.UInt64)
                {
                    json.WriteNumberValue(reader.ReadUInt64());
                }
                else
                {
                    json.WriteNumberValue(reader.ReadInt64());
                }

                break;
            case MessagePackType.Float:
                var number = reader.ReadDouble();
                if (double.IsFinite(number))
                {
                    json.WriteNumberValue(number);
                }
                else
                {
                    json.WriteStringValue(number.ToString(CultureInfo.InvariantCulture));
                }

                break;
            case MessagePackType.String:
                json.WriteStringValue(reader.ReadString());
                break;
            case MessagePackType.Binary:
                var bytes = reader.ReadBytes();
                json.WriteBase64StringValue(bytes.HasValue ? bytes.Value.ToArray() : []);
                break;
            case MessagePackType.Array:
                var count = reader.ReadArrayHeader();
                json.WriteStartArray();
                for (var i = 0; i < count; i++)
                {
                    WriteValue(json, ref reader, depth + 1);
                }

                json.WriteEndArray();
                break;
            case MessagePackType.Map:
                var pairs = reader.ReadMapHeader();
                json.WriteStartObject();
                for (var i = 0; i < pairs; i++)
                {
                    json.WritePropertyName(ReadKey(ref reader));
                    WriteValue(json, ref reader, depth + 1);
                }

                json.WriteEndObject();
                break;
            case MessagePackType.Extension:
                if (reader.NextCode is MessagePackCode.FixExt4 or MessagePackCode.FixExt8 or MessagePackCode.Ext8 && TryReadTimestamp(ref reader, out var time))
                {
                    json.WriteStringValue(time.ToString("O", CultureInfo.InvariantCulture));
                    break;
                }

                var extension = reader.ReadExtensionFormat();
                json.WriteStartObject();
                json.WriteNumber("extension", extension.Header.TypeCode);
                json.WriteBase64String("data", extension.Data.ToArray());
                json.WriteEndObject();
                break;
            default:
                throw new MessagePackSerializationException($"unknown MessagePack code {reader.NextCode}");
        }
    }

    private static bool TryReadTimestamp(ref MessagePackReader reader, out DateTime time)
    {
        var peek = reader.CreatePeekReader();
        if (peek.ReadExtensionFormatHeader().TypeCode != ReservedMessagePackExtensionTypeCode.DateTime)
        {
            time = default;
            return false;
        }

        time = reader.ReadDateTime();
        return true;
    }

    private static string ReadKey(ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.String:
                return reader.ReadString() ?? "null";
            case MessagePackType.Integer:
                return reader.ReadInt64().ToString(CultureInfo.InvariantCulture);
            case MessagePackType.Boolean:
                return reader.ReadBoolean() ? "true" : "false";
            case MessagePackType.Nil:
                reader.ReadNil();
                return "null";
            default:
                // A structured key: shown as its JSON text.
                var buffer = new ArrayBufferWriter<byte>();
                using (var json = new Utf8JsonWriter(buffer))
                {
                    WriteValue(json, ref reader, 1);
                }

                return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
    }

    private static void WriteJson(ref MessagePackWriter writer, JsonElement value, int depth)
    {
        if (depth > MaxDepth)
        {
            throw AdminException.BadRequest("the JSON value is nested too deeply");
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                writer.WriteNil();
                break;
            case JsonValueKind.True:
                writer.Write(true);
                break;
            case JsonValueKind.False:
                writer.Write(false);
                break;
            case JsonValueKind.String:
                writer.Write(value.GetString());
                break;
            case JsonValueKind.Number:
                if (value.TryGetInt64(out var integer))
                {
                    writer.Write(integer);
                }
                else if (value.TryGetUInt64(out var unsigned))
                {
                    writer.Write(unsigned);
                }
                else
                {
                    RequireIntegerInRange(value);
                    writer.Write(FiniteDouble(value));
                }

                break;
            case JsonValueKind.Array:
                writer.WriteArrayHeader(value.GetArrayLength());
                foreach (var item in value.EnumerateArray())
                {
                    WriteJson(ref writer, item, depth + 1);
                }

                break;
            case JsonValueKind.Object:
                var properties = value.EnumerateObject().ToList();
                writer.WriteMapHeader(properties.Count);
                foreach (var property in properties)
                {
                    writer.Write(property.Name);
                    WriteJson(ref writer, property.Value, depth + 1);
                }

                break;
            default:
                throw AdminException.BadRequest($"a JSON {value.ValueKind} cannot be stored");
        }
    }
}
