using Firn.Hosting;

namespace Firn.TestChild;

/// <summary>Storage scenarios.</summary>
internal static class StorageScenarios
{
    public static Task<bool> TryRunAsync(string[] args, FirnProcessContext context)
    {
        return Task.FromResult(false);
    }
}
