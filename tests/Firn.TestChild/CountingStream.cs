using System.Globalization;
using System.Runtime.CompilerServices;

namespace Firn.TestChild;

/// <summary>The streaming RPC handler the scenarios register: 0..n-1, one yield apart, telling how far it got when cancelled.</summary>
internal static class CountingStream
{
    public static async IAsyncEnumerable<int> CountAsync(int n, Action<string> onCancelled, [EnumeratorCancellation] CancellationToken token)
    {
        var produced = 0;
        try
        {
            for (var i = 0; i < n; i++)
            {
                token.ThrowIfCancellationRequested();
                produced++;
                yield return i;
                await Task.Yield();
            }
        }
        finally
        {
            if (token.IsCancellationRequested)
            {
                onCancelled("count-cancelled:" + produced.ToString(CultureInfo.InvariantCulture));
            }
        }
    }
}
