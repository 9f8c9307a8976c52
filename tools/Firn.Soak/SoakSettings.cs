using System.Globalization;

namespace Firn.Soak;

/// <summary>
/// The soak's command line: <c>--minutes M --children N --kill-every S [--chaos] [--seed K]</c>. With <c>--chaos</c>
/// every disruption is, at random, a SIGKILL, a SIGSTOP of up to 2 s followed by SIGCONT, or a requested restart, and
/// the main process's descriptors, threads and memory are checked against their level before the traffic began.
/// </summary>
internal sealed record SoakSettings(TimeSpan Duration, int Children, TimeSpan KillEvery, bool Chaos, int Seed)
{
    public static SoakSettings Parse(string[] args)
    {
        double Read(string name, double fallback)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? double.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
        }

        return new SoakSettings(
            TimeSpan.FromMinutes(Read("--minutes", 5)),
            (int)Read("--children", 4),
            TimeSpan.FromSeconds(Read("--kill-every", 5)),
            args.Contains("--chaos"),
            (int)Read("--seed", Random.Shared.Next()));
    }
}
