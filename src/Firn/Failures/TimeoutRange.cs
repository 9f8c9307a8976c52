namespace Firn.Failures;

/// <summary>
/// The range of every timeout and delay Firn accepts. A .NET timer cannot run longer than <see cref="int.MaxValue"/>
/// milliseconds (about 24.8 days): a longer value would be accepted here and then throw from deep inside a start, a
/// stop or a wait, so it is refused where it is given.
/// </summary>
internal static class TimeoutRange
{
    /// <summary>The longest finite timeout: <see cref="int.MaxValue"/> ms, 24.20:31:23.647.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>A positive timeout of at most <see cref="Max"/>.</summary>
    /// <param name="value">The value given.</param>
    /// <param name="what">How the message names it ("The timeout", "StartTimeout").</param>
    /// <param name="parameterName">The exception's parameter name.</param>
    /// <returns><paramref name="value"/>.</returns>
    public static TimeSpan Positive(TimeSpan value, string what, string parameterName = "value") =>
        value > TimeSpan.Zero && value <= Max
            ? value
            : throw new ArgumentOutOfRangeException(parameterName, value, $"{what} must be positive and at most {Max}.");

    /// <summary>A delay of zero up to <see cref="Max"/>, or up to <paramref name="max"/> where a setting has a smaller bound.</summary>
    /// <param name="value">The value given.</param>
    /// <param name="what">How the message names it.</param>
    /// <param name="parameterName">The exception's parameter name.</param>
    /// <param name="max">The longest value, if less than <see cref="Max"/>.</param>
    /// <returns><paramref name="value"/>.</returns>
    public static TimeSpan NotNegative(TimeSpan value, string what, string parameterName = "value", TimeSpan? max = null)
    {
        var bound = max ?? Max;
        return value >= TimeSpan.Zero && value <= bound
            ? value
            : throw new ArgumentOutOfRangeException(parameterName, value, $"{what} must not be negative, and at most {bound}.");
    }

    /// <summary>A wait's timeout: zero up to <see cref="Max"/>, or <see cref="Timeout.InfiniteTimeSpan"/>.</summary>
    /// <param name="timeout">The value given.</param>
    /// <param name="what">How the message names it ("A receive's timeout").</param>
    public static void ValidateWait(TimeSpan timeout, string what)
    {
        if (timeout != Timeout.InfiniteTimeSpan && (timeout < TimeSpan.Zero || timeout > Max))
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, $"{what} is between zero and {Max}, or Timeout.InfiniteTimeSpan.");
        }
    }
}
