using Firn.Hosting;

namespace Firn;

/// <summary>Where a child's standard output and standard error go.</summary>
public enum ProcessOutput
{
    /// <summary>
    /// Into the main process's log, line by line, with the child's name as the logger category: standard output
    /// at Information, standard error at Warning. A Firn child's own log lines keep their level.
    /// </summary>
    Forward,

    /// <summary>Straight to the main process's standard output and standard error, untouched.</summary>
    Inherit,
}
