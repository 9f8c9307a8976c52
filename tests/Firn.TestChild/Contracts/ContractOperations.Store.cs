namespace Firn.TestChild.Contracts;

/// <content>Shared-memory store operations. Most take the key first, then the value's kind.</content>
public sealed partial class ContractOperations
{
    private async Task<string?> StoreAsync(string op, string[] a)
    {
        var memory = _app.SharedMemory;
        switch (op)
        {
            case "store.set":
                // args: key, kind, value, time to live in ms (optional).
                await Kind(a[1]).SetAsync(memory, a[0], a[2], ContractValues.Milliseconds(Optional(a, 3) ?? string.Empty));
                return "set";

            case "store.get":
                // args: key, kind, default (optional: the kind's default).
                return await Kind(a[1]).GetAsync(memory, a[0], a.Length > 2 ? a[2] : null);

            case "store.try-get":
                return await Kind(a[1]).TryGetAsync(memory, a[0]);

            case "store.delete":
                return ContractValues.Format(await memory.DeleteAsync(a[0]));

            case "store.increment":
                // args: key, amount.
                return ContractValues.Format(await memory.IncrementAsync(a[0], ContractValues.Long(a[1])));

            case "store.increment-many":
                // args: key, count. That many increments by one, all in flight at once.
                await Task.WhenAll(Enumerable.Range(0, ContractValues.Int(a[1])).Select(_ => memory.IncrementAsync(a[0]).AsTask()));
                return "incremented";

            case "store.compare-and-set":
                // args: key, kind, expected, value.
                return ContractValues.Format(await Kind(a[1]).CompareAndSetAsync(memory, a[0], a[2], a[3]));

            case "store.set-if-absent":
                // args: key, kind, value, time to live in ms (optional).
                return ContractValues.Format(await Kind(a[1]).SetIfAbsentAsync(memory, a[0], a[2], ContractValues.Milliseconds(Optional(a, 3) ?? string.Empty)));

            case "store.get-all":
                // args: key. The key's value in a GetAll snapshot, or "<absent>".
                var all = await memory.GetAllAsync();
                return all.TryGetValue(a[0], out var value) ? ContractValues.Format(value) : "<absent>";

            case "store.has-key":
                return ContractValues.Format((await memory.GetKeysAsync()).Contains(a[0]));

            case "store.fill":
                // args: key prefix, count. Writes prefix0, prefix1, ... until a write fails; returns "written" or "written|error".
                for (var i = 0; i < ContractValues.Int(a[1]); i++)
                {
                    try
                    {
                        await memory.SetAsync(a[0] + i.ToString(System.Globalization.CultureInfo.InvariantCulture), i);
                    }
                    catch (StoreException ex)
                    {
                        return $"{ContractValues.Format(i)}|{ex.GetType().Name}|{ex.Message}";
                    }
                }

                return a[1];

            case "store.delete-many":
                // args: key prefix, count. Deletes prefix0..prefix(count-1); returns how many existed.
                var deleted = await Task.WhenAll(Enumerable.Range(0, ContractValues.Int(a[1]))
                    .Select(i => memory.DeleteAsync(a[0] + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).AsTask()));
                return ContractValues.Format(deleted.Count(d => d));

            case "store.sync-forms":
                return SyncForms(memory, a[0]);

            default:
                throw new ArgumentException($"Unknown store operation '{op}'.", nameof(op));
        }
    }

    /// <summary>Every synchronous form once, on <paramref name="key"/> and "{key}.n".</summary>
    private static string SyncForms(SharedMemory memory, string key)
    {
        memory.Set(key, 1);
        string[] outcome =
        [
            $"get={ContractValues.Format(memory.Get(key, 0))}",
            $"try-get={ContractValues.Format(memory.TryGet<int>(key, out var value))}:{ContractValues.Format(value)}",
            $"cas={ContractValues.Format(memory.CompareAndSet(key, 1, 2))}",
            $"set-if-absent={ContractValues.Format(memory.SetIfAbsent(key, 3))}",
            $"get-all={ContractValues.Format(memory.GetAll()[key])}",
            $"keys={ContractValues.Format(memory.Keys.Contains(key))}",
            $"delete={ContractValues.Format(memory.Delete(key))}",
            $"delete-again={ContractValues.Format(memory.Delete(key))}",
            $"increment={ContractValues.Format(memory.Increment(key + ".n", 5))}",
        ];
        return string.Join(' ', outcome);
    }
}
