namespace Firn.Hosting;

/// <summary>What a child can ask of the main process about itself or the app.</summary>
internal enum ControlRequest : byte
{
    /// <summary>Restart this child (stop it gracefully, then start a new instance).</summary>
    RestartSelf = 1,

    /// <summary>Stop this child and do not restart it.</summary>
    StopSelf = 2,

    /// <summary>Stop the whole application.</summary>
    StopApplication = 3,

    /// <summary>Restart the whole application: every child, see <see cref="FirnSupervisor.RestartAsync"/>.</summary>
    RestartApplication = 4,
}
