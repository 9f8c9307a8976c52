namespace Firn.Channels;

/// <summary>The flags byte of an OpenChannel frame.</summary>
internal static class OpenFlags
{
    /// <summary>Open the channel only if some process opened it already (<c>TryGetChannel</c>); never create it.</summary>
    public const byte OnlyIfExists = 1;
}

/// <summary>The status byte of a ChannelOpened frame.</summary>
internal static class OpenStatus
{
    public const byte Opened = 0;
    public const byte TypeMismatch = 1;
    public const byte BadName = 2;
    public const byte NotFound = 3;
}
