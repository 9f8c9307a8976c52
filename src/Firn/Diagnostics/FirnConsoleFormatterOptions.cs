using Microsoft.Extensions.Logging.Console;

namespace Firn.Diagnostics;

/// <summary>The settings of <see cref="FirnConsoleFormatter"/>; the base class's time stamp and scope settings do not apply.</summary>
internal sealed class FirnConsoleFormatterOptions : ConsoleFormatterOptions
{
    /// <summary>The name shown on every line (a forwarded child's line shows the child's).</summary>
    public string ProcessName { get; set; } = "main";

    /// <summary>The plain format: <c>[LEVEL] message</c> on every line, without time or name.</summary>
    public bool Plain { get; set; }

    /// <summary>In the plain format, the logger's category after the tag: <c>[LEVEL] category: message</c> (a child under the Generic Host, whose categories are its classes).</summary>
    public bool IncludeCategory { get; set; }
}
