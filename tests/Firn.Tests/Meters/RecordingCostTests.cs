using System.Diagnostics.Metrics;
using Firn.Meters;

namespace Firn.Tests.Meters;

/// <summary>What a recording costs on a hot path: no allocation, whether or not a listener is attached.</summary>
public sealed class RecordingCostTests
{
    [Fact]
    public void Recording_allocates_nothing_without_a_listener_nor_with_one()
    {
        using var metrics = FirnMetrics.Create(null, "main");
        Assert.Equal(0, AllocatedBy(metrics));

        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        listener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        listener.Start();
        Assert.True(metrics.StartProcessing() != 0, "the listener enabled the instruments");
        Assert.Equal(0, AllocatedBy(metrics));
    }

    [Fact]
    public void A_disabled_app_has_instruments_no_listener_can_enable()
    {
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => l.EnableMeasurementEvents(instrument);
        listener.Start();
        Assert.False(FirnMetrics.Disabled.IsEnabled);
        Assert.Equal(0, FirnMetrics.Disabled.StartProcessing());
        Assert.Equal(0, FirnMetrics.Disabled.StartClientCall());
    }

    private static long AllocatedBy(FirnMetrics metrics)
    {
        Record(metrics);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            Record(metrics);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static void Record(FirnMetrics metrics)
    {
        metrics.Sent("orders", "worker", 16);
        metrics.Consumed("orders", "main", 16);
        metrics.Redelivered("orders", 1);
        metrics.Processed(metrics.StartProcessing(), "orders");
        metrics.WaitedForCredit(metrics.StartCreditWait(), "orders");
        metrics.Called(metrics.StartClientCall(), "calc.add", errorType: null);
        metrics.Served(metrics.StartServerCall(), "calc.add", "System.InvalidOperationException");
        metrics.StoreOperated(metrics.StartStoreOperation(), "get", errorType: null);
    }
}
