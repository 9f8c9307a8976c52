using Firn.Storage;

namespace Firn.Fuzzing;

/// <summary>What must hold in the main process whatever its children sent: no counter below zero, nothing kept for a child that is gone.</summary>
internal static class MainInvariants
{
    /// <summary>Lists every broken invariant of the harness's main process; <paramref name="ended"/> names children whose sessions have ended.</summary>
    public static List<string> Check(DispatcherHarness harness, IReadOnlySet<string> ended) => Check(harness.Services, ended);

    /// <summary>Lists every broken invariant; <paramref name="ended"/> names children whose sessions have ended.</summary>
    public static List<string> Check(Hosting.MainServices app, IReadOnlySet<string> ended)
    {
        var problems = new List<string>();
        foreach (var channel in app.Router.List())
        {
            if (channel.Queued < 0 || channel.Unconsumed < 0)
            {
                problems.Add($"channel '{channel.Name}' counts {channel.Queued} queued and {channel.Unconsumed} unconsumed messages");
            }

            foreach (var member in channel.Members.Where(m => ended.Contains(m.ProcessName)))
            {
                problems.Add($"channel '{channel.Name}' still lists ended child '{member.ProcessName}' ({member.Mode})");
            }
        }

        foreach (var (method, owner) in app.RpcTable.Methods.Where(m => ended.Contains(m.Value)))
        {
            problems.Add($"method '{method}' is still registered to ended child '{owner}'");
        }

        if (app.RpcTable.Count < 0)
        {
            problems.Add($"the call table counts {app.RpcTable.Count} calls");
        }

        foreach (var (key, subscribers) in app.TopicHub.Subscriptions())
        {
            foreach (var subscriber in subscribers.Where(ended.Contains))
            {
                problems.Add($"topic '{key}' still has ended child '{subscriber}' as a subscriber");
            }
        }

        var store = (KeyValueStore)app.Store;
        store.Sweep();
        var items = store.Execute(new StoreRequest(StoreOperation.GetAll, "*")).Items;
        var bytes = items.Sum(i => (i.Key.Length * 2L) + i.Payload.Length);
        if (store.Bytes < 0 || store.Count < 0 || (store.Count == items.Count && store.Bytes != bytes))
        {
            problems.Add($"the store counts {store.Count} keys and {store.Bytes} bytes; its {items.Count} live entries hold {bytes}");
        }

        return problems;
    }
}
