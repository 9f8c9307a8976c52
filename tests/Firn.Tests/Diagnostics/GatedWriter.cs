using System.Text;

namespace Firn.Tests.Diagnostics;

/// <summary>A console whose first write blocks until <see cref="Open"/>, as a pipe nobody reads does; it keeps what it is given.</summary>
internal sealed class GatedWriter : TextWriter
{
    private readonly ManualResetEventSlim _open = new();
    private readonly StringBuilder _text = new();
    private volatile bool _blocked;

    public override Encoding Encoding => Encoding.UTF8;

    /// <summary>Whether a write has waited for <see cref="Open"/>.</summary>
    public bool Blocked => _blocked;

    /// <summary>The lines written so far, without the one being written.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_text)
            {
                var lines = _text.ToString().Split(Environment.NewLine);
                return lines[..^1];
            }
        }
    }

    public void Open() => _open.Set();

    public override void Write(char value) => Write(value.ToString());

    public override void Write(string? value)
    {
        if (!_open.IsSet)
        {
            _blocked = true;
            _open.Wait();
        }

        lock (_text)
        {
            _text.Append(value);
        }
    }

    /// <summary>
    /// Runs <paramref name="create"/> with this writer as standard output and <paramref name="error"/> as standard error:
    /// the console provider takes both when it is created. Only for tests in <see cref="Hardening.RunsAlone"/>: no other
    /// test may write to the console meanwhile.
    /// </summary>
    public T AsConsole<T>(TextWriter error, Func<T> create)
    {
        var (output, previousError) = (Console.Out, Console.Error);
        Console.SetOut(this);
        Console.SetError(error);
        try
        {
            return create();
        }
        finally
        {
            Console.SetOut(output);
            Console.SetError(previousError);
        }
    }

    protected override void Dispose(bool disposing)
    {
        _open.Dispose();
        base.Dispose(disposing);
    }
}
