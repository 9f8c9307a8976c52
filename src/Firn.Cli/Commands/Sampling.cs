using System.Diagnostics;
using System.Text.Json.Nodes;
using Firn.Cli.Connection;

namespace Firn.Cli.Commands;

/// <summary>Rates from two samples of totals: the app reports counts since it started, firnctl divides the difference.</summary>
internal sealed class Sampling(AdminClient client, string op, string listName)
{
    private Dictionary<string, JsonObject> _previous = [];
    private long _previousTicks;

    /// <summary>Takes a sample; returns the items with the seconds since the previous sample (0 on the first).</summary>
    public async Task<(JsonArray Items, double Seconds)> SampleAsync(CancellationToken cancellationToken)
    {
        var result = await client.RequestAsync(op, cancellationToken: cancellationToken);
        var now = Stopwatch.GetTimestamp();
        var seconds = _previousTicks == 0 ? 0 : Stopwatch.GetElapsedTime(_previousTicks, now).TotalSeconds;
        _previousTicks = now;
        return (result?[listName] as JsonArray ?? [], seconds);
    }

    /// <summary>(total now − total before) / seconds for a field of the item with this key; 0 without a previous sample.</summary>
    public double Rate(string key, JsonNode? item, double seconds, params string[] fields)
    {
        if (seconds <= 0 || !_previous.TryGetValue(key, out var before))
        {
            return 0;
        }

        double delta = 0;
        foreach (var field in fields)
        {
            delta += (Value(item?[field]) ?? 0) - (Value(before[field]) ?? 0);
        }

        return Math.Max(0, delta / seconds);
    }

    /// <summary>Keeps this sample to compute the next rates from.</summary>
    public void Remember(JsonArray items, Func<JsonNode?, string> key) =>
        _previous = items.OfType<JsonObject>().ToDictionary(i => key(i), i => i);

    private static double? Value(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
}
