using System.Collections;

namespace Firn.Diagnostics;

/// <summary>
/// The log state of one line a child wrote to its standard output or error. Structured loggers see
/// <c>Process</c>, <c>Stream</c> and <c>Line</c>; the default console logger shows the child's name instead of the main process's.
/// </summary>
internal sealed class ChildOutputLine : IReadOnlyList<KeyValuePair<string, object?>>
{
    public ChildOutputLine(string processName, string stream, string line)
    {
        ProcessName = processName;
        Stream = stream;
        Line = line;
    }

    public string ProcessName { get; }

    /// <summary><c>stdout</c> or <c>stderr</c>.</summary>
    public string Stream { get; }

    public string Line { get; }

    public int Count => 4;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("Process", ProcessName),
        1 => new("Stream", Stream),
        2 => new("Line", Line),
        3 => new("{OriginalFormat}", "{Line}"),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public static string Format(ChildOutputLine state, Exception? exception) => state.Line;

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => Line;
}
