using System.Text.Json;
using Firn.Storage;

namespace Firn.Admin;

/// <summary>One request line: its id, its op, and typed access to its arguments (a wrong type is a bad request).</summary>
internal sealed class AdminRequest
{
    private readonly JsonElement _root;

    private AdminRequest(JsonElement root, long id, string op)
    {
        _root = root;
        Id = id;
        Op = op;
    }

    public long Id { get; }

    public string Op { get; }

    /// <summary>Reads a request; <paramref name="id"/> is what could be read of its id (0 if none) when it is malformed.</summary>
    public static AdminRequest Parse(JsonElement root, out long id)
    {
        id = 0;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw AdminException.BadRequest($"a request is a JSON object; this line is a JSON {root.ValueKind.ToString().ToLowerInvariant()}");
        }

        if (root.TryGetProperty("id", out var idElement))
        {
            if (idElement.ValueKind != JsonValueKind.Number || !idElement.TryGetInt64(out id))
            {
                throw AdminException.BadRequest("'id' must be an integer");
            }
        }

        if (!root.TryGetProperty("op", out var op) || op.ValueKind != JsonValueKind.String)
        {
            throw AdminException.BadRequest("a request needs a string 'op'");
        }

        return new AdminRequest(root, id, ReadString(op, "op"));
    }

    /// <summary>A JSON string's text; a lone surrogate escape (valid JSON, not valid text) is a bad request.</summary>
    public static string ReadString(JsonElement value, string name)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw AdminException.BadRequest($"'{name}' is not well-formed text (it holds a lone surrogate)");
        }
    }

    /// <summary>A store key (or a pattern of keys or topics) as the store's rules allow it (1 to 1,024 characters, well-formed UTF-16).</summary>
    public string RequireKey(string name) => Key(RequireString(name), name);

    /// <summary>As <see cref="RequireKey"/>, or null when absent.</summary>
    public string? OptionalKey(string name) => OptionalString(name) is { } key ? Key(key, name) : null;

    public string RequireString(string name) =>
        OptionalString(name) ?? throw AdminException.BadRequest($"'{Op}' needs a string argument '{name}'");

    public string? OptionalString(string name) => Get(name, JsonValueKind.String, "a string") is { } value ? ReadString(value, name) : null;

    public long? OptionalInteger(string name)
    {
        if (Get(name, JsonValueKind.Number, "an integer") is not { } value)
        {
            return null;
        }

        return value.TryGetInt64(out var number) ? number : throw AdminException.BadRequest($"'{name}' must be an integer");
    }

    /// <summary>A duration in seconds (a non-negative number).</summary>
    public TimeSpan? OptionalSeconds(string name)
    {
        if (Get(name, JsonValueKind.Number, "a number of seconds") is not { } value)
        {
            return null;
        }

        var seconds = value.GetDouble();
        return seconds is >= 0 and <= 24 * 3600 * 24
            ? TimeSpan.FromSeconds(seconds)
            : throw AdminException.BadRequest($"'{name}' must be between 0 and {24 * 3600 * 24} seconds");
    }

    public bool? OptionalBoolean(string name)
    {
        if (!_root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw AdminException.BadRequest($"'{name}' must be true or false"),
        };
    }

    /// <summary>Any JSON value; null if absent.</summary>
    public JsonElement? OptionalValue(string name) => _root.TryGetProperty(name, out var value) ? value : null;

    public JsonElement RequireValue(string name) =>
        OptionalValue(name) ?? throw AdminException.BadRequest($"'{Op}' needs an argument '{name}'");

    private static string Key(string key, string name)
    {
        try
        {
            StoreKeys.Validate(key, name);
            return key;
        }
        catch (ArgumentException ex)
        {
            throw AdminException.BadRequest($"'{name}': {ex.Message}");
        }
    }

    private JsonElement? Get(string name, JsonValueKind kind, string what)
    {
        if (!_root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == kind ? value : throw AdminException.BadRequest($"'{name}' must be {what}");
    }
}
