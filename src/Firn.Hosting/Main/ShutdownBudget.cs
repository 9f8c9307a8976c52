using System.Globalization;
using Microsoft.Extensions.Hosting;

namespace Firn.GenericHost.Main;

/// <summary>Firn's stop must fit in the time the host gives its whole stop, or the host would abandon it half-way.</summary>
internal static class ShutdownBudget
{
    public static void Check(FirnApp app, HostOptions host)
    {
        var bound = app.StopBound;
        // An infinite ShutdownTimeout (Timeout.InfiniteTimeSpan, -1 ms) waits for the whole stop, however long.
        if (host.ShutdownTimeout == Timeout.InfiniteTimeSpan || bound <= host.ShutdownTimeout)
        {
            return;
        }

        var grace = bound - app.Options.StopTimeout;
        var most = host.ShutdownTimeout - grace;
        var lower = most > TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $"lower FirnAppOptions.StopTimeout to at most {most} or ")
            : string.Empty;
        throw new InvalidOperationException(string.Create(
            CultureInfo.InvariantCulture,
            $"Firn's stop may take up to {bound} (FirnAppOptions.StopTimeout {app.Options.StopTimeout} plus {grace} for what its deadline cut short), longer than HostOptions.ShutdownTimeout ({host.ShutdownTimeout}), the host's bound on its whole stop: {lower}raise HostOptions.ShutdownTimeout to at least {bound}."));
    }
}
