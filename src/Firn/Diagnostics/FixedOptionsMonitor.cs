using Microsoft.Extensions.Options;

namespace Firn.Diagnostics;

/// <summary>Options that never change, without the options and dependency-injection machinery that usually serves them.</summary>
internal sealed class FixedOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
