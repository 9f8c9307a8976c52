using System.Text;
using Spectre.Console;

namespace Firn.Cli.Rendering;

/// <summary>Rows of text under headers, rendered as a Spectre table on a terminal or as plain aligned columns.</summary>
internal sealed class TableView(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public string? Title { get; init; }

    /// <summary>Columns (by header) aligned right: numbers.</summary>
    public IReadOnlySet<string> RightAligned { get; init; } = new HashSet<string>();

    public int Count => _rows.Count;

    /// <summary>Adds a row; control characters in its cells are escaped (<see cref="Terminal"/>).</summary>
    public void Add(params string[] cells) => _rows.Add([.. cells.Select(Terminal.Escape)]);

    public Table ToSpectre()
    {
        var table = new Table().Border(TableBorder.Rounded);
        if (Title is not null)
        {
            table.Title(Markup.Escape(Title));
        }

        foreach (var header in headers)
        {
            var column = new TableColumn(new Markup("[bold]" + Markup.Escape(header) + "[/]"));
            table.AddColumn(RightAligned.Contains(header) ? column.RightAligned() : column);
        }

        foreach (var row in _rows)
        {
            table.AddRow([.. row.Select(c => new Text(c))]);
        }

        return table;
    }

    public string ToPlain()
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        if (Title is not null)
        {
            text.Append(Title).Append('\n');
        }

        Append(text, headers, widths);
        foreach (var row in _rows)
        {
            Append(text, row, widths);
        }

        return text.ToString();
    }

    private void Append(StringBuilder text, string[] cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            var last = i == cells.Length - 1;
            var cell = RightAligned.Contains(headers[i]) ? cells[i].PadLeft(widths[i]) : last ? cells[i] : cells[i].PadRight(widths[i]);
            line.Append(cell);
            if (!last)
            {
                line.Append("  ");
            }
        }

        text.Append(line.ToString().TrimEnd()).Append('\n');
    }
}
