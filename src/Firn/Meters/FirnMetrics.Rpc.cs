using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Firn.Meters;

/// <content>Remote calls: duration on the calling side and on the handling side, with <c>error.type</c> when they fail.</content>
internal sealed partial class FirnMetrics
{
    private readonly Histogram<double> _rpcClient;
    private readonly Histogram<double> _rpcServer;

    /// <summary>A timestamp for <see cref="Called"/>, or 0 when nobody listens.</summary>
    public long StartClientCall() => _rpcClient.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>A call this process made to <paramref name="method"/> ended; <paramref name="errorType"/> is <see langword="null"/> on success.</summary>
    public void Called(long start, string method, string? errorType) => RecordCall(_rpcClient, start, method, errorType);

    /// <summary>As <see cref="Called"/> for a call that threw; returns <see langword="false"/>, for an exception filter that lets the exception pass.</summary>
    public bool CallFailed(long start, string method, Exception exception)
    {
        if (start != 0)
        {
            RecordCall(_rpcClient, start, method, exception.GetType().FullName);
        }

        return false;
    }

    /// <summary>A timestamp for <see cref="Served"/>, or 0 when nobody listens.</summary>
    public long StartServerCall() => _rpcServer.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>This process answered a call to <paramref name="method"/>; <paramref name="errorType"/> is <see langword="null"/> on success.</summary>
    public void Served(long start, string method, string? errorType) => RecordCall(_rpcServer, start, method, errorType);

    private static void RecordCall(Histogram<double> histogram, long start, string method, string? errorType)
    {
        if (start == 0)
        {
            return;
        }

        var tags = new TagList { { "rpc.system", SystemName }, { "rpc.method", method } };
        if (errorType is not null)
        {
            tags.Add("error.type", errorType);
        }

        histogram.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, tags);
    }
}
