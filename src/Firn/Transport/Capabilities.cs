namespace Firn.Transport;

/// <summary>
/// The optional features both ends of a connection agreed on in the handshake (see docs/PROTOCOL.md, "Capabilities"):
/// the child offers the names it speaks at the end of its Hello, and the main process answers, at the end of its
/// Welcome, with those of them it speaks too. Only what the Welcome names is in force.
/// </summary>
[Flags]
internal enum Capabilities
{
    /// <summary>Nothing beyond protocol version 1.</summary>
    None = 0,

    /// <summary>
    /// "trace-context": messages, publications and calls may carry W3C trace context (see <c>Firn.Tracing.TraceEnvelope</c>).
    /// </summary>
    TraceContext = 1,

    /// <summary>
    /// "socket-poll": this end's read thread polls its socket for a moment after a read before it sleeps (see
    /// <c>FirnAppOptions.SocketPollWindow</c>). It changes nothing on the wire; a connection polls only when both ends
    /// do, since a wake-up saved on one end pays only if the other end is awake to answer.
    /// </summary>
    SocketPoll = 2,
}

/// <summary>
/// The capability list that may end a Hello or a Welcome: a u8 count, then that many strings, each a capability name
/// of 1 to <see cref="MaxNameLength"/> bytes of <c>a-z</c>, <c>0-9</c>, <c>-</c> and <c>.</c>. Nothing may follow it.
/// </summary>
internal static class CapabilityList
{
    /// <summary>The most names a list may hold.</summary>
    public const int MaxCount = 32;

    /// <summary>The longest name, in bytes.</summary>
    public const int MaxNameLength = 64;

    /// <summary>The name of <see cref="Capabilities.TraceContext"/>.</summary>
    public const string TraceContext = "trace-context";

    /// <summary>The name of <see cref="Capabilities.SocketPoll"/>.</summary>
    public const string SocketPoll = "socket-poll";

    /// <summary>Everything this build speaks.</summary>
    public const Capabilities Supported = Capabilities.TraceContext | Capabilities.SocketPoll;

    /// <summary>What a process offers (or, as the main process, agrees to): all it speaks, without polling when its poll window is zero.</summary>
    public static Capabilities Offered(TimeSpan socketPollWindow) =>
        socketPollWindow > TimeSpan.Zero ? Supported : Supported & ~Capabilities.SocketPoll;

    /// <summary>Appends the names of <paramref name="capabilities"/>, in the order of their flags; nothing at all for none.</summary>
    public static BodyWriter Write(BodyWriter writer, Capabilities capabilities)
    {
        if (capabilities == Capabilities.None)
        {
            return writer;
        }

        var names = Names(capabilities);
        writer.WriteByte((byte)names.Count);
        foreach (var name in names)
        {
            writer.WriteString(name);
        }

        return writer;
    }

    /// <summary>
    /// Reads a list that ends <paramref name="reader"/>'s body; no bytes left means no list (a peer older than
    /// capabilities). Names this build does not know are ignored.
    /// </summary>
    /// <exception cref="ProtocolViolationException">The list is malformed, too long, or followed by more bytes.</exception>
    public static Capabilities Read(ref BodyReader reader)
    {
        if (reader.Remaining.IsEmpty)
        {
            return Capabilities.None;
        }

        int count = reader.ReadByte();
        if (count > MaxCount)
        {
            throw new ProtocolViolationException($"a capability list of {count} names; at most {MaxCount} are allowed");
        }

        var capabilities = Capabilities.None;
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadString();
            Validate(name);
            capabilities |= FromName(name);
        }

        if (!reader.Remaining.IsEmpty)
        {
            throw new ProtocolViolationException($"{reader.Remaining.Length} bytes follow the capability list");
        }

        return capabilities;
    }

    /// <summary>The names of <paramref name="capabilities"/> that this build knows.</summary>
    public static IReadOnlyList<string> Names(Capabilities capabilities)
    {
        var names = new List<string>(2);
        if ((capabilities & Capabilities.TraceContext) != 0)
        {
            names.Add(TraceContext);
        }

        if ((capabilities & Capabilities.SocketPoll) != 0)
        {
            names.Add(SocketPoll);
        }

        return names;
    }

    private static Capabilities FromName(string name) => name switch
    {
        TraceContext => Capabilities.TraceContext,
        SocketPoll => Capabilities.SocketPoll,
        _ => Capabilities.None,
    };

    private static void Validate(string name)
    {
        if (name.Length is 0 or > MaxNameLength)
        {
            throw new ProtocolViolationException($"a capability name of {name.Length} characters; names have 1 to {MaxNameLength}");
        }

        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.'))
            {
                throw new ProtocolViolationException($"capability name '{name}' has a character other than a-z, 0-9, '-' and '.'");
            }
        }
    }
}
