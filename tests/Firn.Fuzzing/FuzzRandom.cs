namespace Firn.Fuzzing;

/// <summary>Deterministic randomness for fuzzing: the same (seed, case) gives the same case on every run and machine.</summary>
internal static class FuzzRandom
{
    /// <summary>A generator for one case, independent of every other case's.</summary>
    public static Random ForCase(int seed, long caseIndex) => new(unchecked((int)Mix(((ulong)(uint)seed << 32) ^ (ulong)caseIndex)));

    /// <summary>A fresh seed from the clock, for runs that were not given one.</summary>
    public static int NewSeed() => unchecked((int)Mix((ulong)DateTime.UtcNow.Ticks) & int.MaxValue);

    public static T Pick<T>(this Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    public static bool Chance(this Random random, double probability) => random.NextDouble() < probability;

    public static byte[] Bytes(this Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Picks an index by weight.</summary>
    public static int Weighted(this Random random, IReadOnlyList<int> weights)
    {
        var total = weights.Sum();
        var roll = random.Next(total);
        for (var i = 0; i < weights.Count; i++)
        {
            roll -= weights[i];
            if (roll < 0)
            {
                return i;
            }
        }

        return weights.Count - 1;
    }

    /// <summary>SplitMix64's finalizer: spreads nearby inputs far apart.</summary>
    private static ulong Mix(ulong value)
    {
        value += 0x9E3779B97F4A7C15;
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EB;
        return value ^ (value >> 31);
    }
}
