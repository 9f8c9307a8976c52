namespace Firn;

/// <summary>
/// The <c>Firn</c> configuration section as bound: the app's settings (<see cref="FirnAppOptions"/>) and each child's
/// (<see cref="Processes"/>). A <see langword="null"/> property is absent from configuration: the value the code set
/// in <see cref="FirnAppOptions"/>, or else Firn's default, applies. Read it with <c>IOptions&lt;FirnSettings&gt;</c>;
/// it is validated when the host starts, and read once by Firn as it starts.
/// </summary>
public sealed class FirnSettings
{
    /// <summary>Configuration key <c>Firn:MainProcessName</c>: <see cref="FirnAppOptions.MainProcessName"/>.</summary>
    public string? MainProcessName { get; set; }

    /// <summary>Configuration key <c>Firn:SocketDirectory</c>: <see cref="FirnAppOptions.SocketDirectory"/>.</summary>
    public string? SocketDirectory { get; set; }

    /// <summary>Configuration key <c>Firn:MaxMessageSize</c>, in bytes: <see cref="FirnAppOptions.MaxMessageSize"/>.</summary>
    public int? MaxMessageSize { get; set; }

    /// <summary>Configuration key <c>Firn:ChannelSendWindow</c>, in messages: <see cref="FirnAppOptions.ChannelSendWindow"/>.</summary>
    public int? ChannelSendWindow { get; set; }

    /// <summary>Configuration key <c>Firn:StartTimeout</c>: <see cref="FirnAppOptions.StartTimeout"/>.</summary>
    public TimeSpan? StartTimeout { get; set; }

    /// <summary>Configuration key <c>Firn:ShutdownTimeout</c>: <see cref="FirnAppOptions.ShutdownTimeout"/>.</summary>
    public TimeSpan? ShutdownTimeout { get; set; }

    /// <summary>Configuration key <c>Firn:StopTimeout</c>: <see cref="FirnAppOptions.StopTimeout"/>.</summary>
    public TimeSpan? StopTimeout { get; set; }

    /// <summary>Configuration key <c>Firn:ShutdownHookTimeout</c>: <see cref="FirnAppOptions.ShutdownHookTimeout"/>.</summary>
    public TimeSpan? ShutdownHookTimeout { get; set; }

    /// <summary>Configuration key <c>Firn:HandshakeTimeout</c>: <see cref="FirnAppOptions.HandshakeTimeout"/>.</summary>
    public TimeSpan? HandshakeTimeout { get; set; }

    /// <summary>Configuration key <c>Firn:StoreMaxKeys</c>: <see cref="FirnAppOptions.StoreMaxKeys"/>.</summary>
    public int? StoreMaxKeys { get; set; }

    /// <summary>Configuration key <c>Firn:StoreMaxBytes</c>: <see cref="FirnAppOptions.StoreMaxBytes"/>.</summary>
    public long? StoreMaxBytes { get; set; }

    /// <summary>Configuration key <c>Firn:CallTimeout</c> (<c>Infinite</c> waits for ever): <see cref="FirnAppOptions.CallTimeout"/>.</summary>
    public TimeSpan? CallTimeout { get; set; }

    /// <summary>Configuration key <c>Firn:MaxCallsInFlight</c>: <see cref="FirnAppOptions.MaxCallsInFlight"/>.</summary>
    public int? MaxCallsInFlight { get; set; }

    /// <summary>Configuration key <c>Firn:ConnectionBufferLimit</c>, in bytes: <see cref="FirnAppOptions.ConnectionBufferLimit"/>.</summary>
    public int? ConnectionBufferLimit { get; set; }

    /// <summary>Configuration key <c>Firn:MaxChannelsPerProcess</c>: <see cref="FirnAppOptions.MaxChannelsPerProcess"/>.</summary>
    public int? MaxChannelsPerProcess { get; set; }

    /// <summary>Configuration key <c>Firn:HeartbeatInterval</c>: <see cref="FirnAppOptions.HeartbeatInterval"/>.</summary>
    public TimeSpan? HeartbeatInterval { get; set; }

    /// <summary>Configuration key <c>Firn:HeartbeatTimeout</c> (<c>Infinite</c> turns heartbeats off): <see cref="FirnAppOptions.HeartbeatTimeout"/>.</summary>
    public TimeSpan? HeartbeatTimeout { get; set; }

    /// <summary>Configuration key <c>Firn:SocketPollWindow</c> (zero never polls): <see cref="FirnAppOptions.SocketPollWindow"/>.</summary>
    public TimeSpan? SocketPollWindow { get; set; }

    /// <summary>Configuration key <c>Firn:EnableMetrics</c>: <see cref="FirnAppOptions.EnableMetrics"/>.</summary>
    public bool? EnableMetrics { get; set; }

    /// <summary>Configuration key <c>Firn:EnableAdmin</c>: <see cref="FirnAppOptions.EnableAdmin"/>.</summary>
    public bool? EnableAdmin { get; set; }

    /// <summary>Configuration key <c>Firn:AdminDirectory</c>: <see cref="FirnAppOptions.AdminDirectory"/>.</summary>
    public string? AdminDirectory { get; set; }

    /// <summary>Configuration key <c>Firn:AppName</c>: <see cref="FirnAppOptions.AppName"/>.</summary>
    public string? AppName { get; set; }

    /// <summary>Configuration key <c>Firn:AdminLogLines</c>: <see cref="FirnAppOptions.AdminLogLines"/>.</summary>
    public int? AdminLogLines { get; set; }

    /// <summary>
    /// Configuration section <c>Firn:Processes</c>: each child's settings by name (matched ignoring case, as configuration
    /// keys are). A name the code does not declare is an external command, and needs <see cref="ProcessSettings.Executable"/>.
    /// </summary>
    public Dictionary<string, ProcessSettings> Processes { get; } = new(StringComparer.OrdinalIgnoreCase);
}
