using Firn.Hosting;

namespace Firn.TestChild;

/// <summary>Hosting scenarios.</summary>
internal static class HostingScenarios
{
    public static Task<bool> TryRunAsync(string[] args, FirnProcessContext context)
    {
        return Task.FromResult(false);
    }
}
