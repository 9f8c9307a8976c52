namespace Firn.GenericHost.Configuration;

/// <summary>
/// What the code declared, which the <c>Firn</c> configuration section overrides key by key: the app's options and each
/// child's, by name. <see cref="FirnConfiguration.Register(Microsoft.Extensions.DependencyInjection.IServiceCollection)"/> registers one per service collection and returns it for
/// <c>AddFirn</c> to fill while services are registered; the validator reads it when the host starts.
/// </summary>
internal sealed class CodeDeclarations
{
    /// <summary>The options the code gave, <see langword="null"/> for the defaults.</summary>
    public FirnAppOptions? AppOptions { get; set; }

    /// <summary>
    /// Every child the code declares (its own entries, other Firn programs and commands), with the options the code
    /// gave it or <see langword="null"/> for the defaults. A configured process not named here is a command.
    /// </summary>
    public Dictionary<string, ProcessOptions?> Processes { get; } = new(StringComparer.Ordinal);
}
