namespace Firn.GenericHost.DependencyInjection;

/// <summary>
/// A child declared on a <see cref="FirnBuilder"/>: its name, the options it was declared with, and how its entry is
/// made from the child's container (<see langword="null"/> for an external command).
/// </summary>
internal sealed record ProcessRegistration(string Name, ProcessOptions Options, Func<IServiceProvider, Func<FirnProcessContext, Task>>? Entry);
