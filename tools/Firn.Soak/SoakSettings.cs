using System.Globalization;

namespace Firn.Soak;

/// <summary>The soak's command line: <c>--minutes M --children N --kill-every S</c>.</summary>
internal sealed record SoakSettings(TimeSpan Duration, int Children, TimeSpan KillEvery)
{
    public static SoakSettings Parse(string[] args)
    {
        double Read(string name, double fallback)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? double.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
        }

        return new SoakSettings(TimeSpan.FromMinutes(Read("--minutes", 5)), (int)Read("--children", 4), TimeSpan.FromSeconds(Read("--kill-every", 5)));
    }
}
