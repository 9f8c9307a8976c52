using System.Runtime.CompilerServices;

namespace Firn.Tests.Docs;

/// <summary>
/// The names a ```csharp fragment of the docs may use without declaring them. The test compiles each fragment as the
/// statements of a program that starts with <c>var app = DocsPrelude.App;</c>, <c>var context = DocsPrelude.Context;</c>
/// and <c>var stopping = DocsPrelude.Stopping;</c>, with <c>using static</c> of this class. Nothing here runs: the
/// fragments are compiled, never executed.
/// </summary>
public static class DocsPrelude
{
    /// <summary>The app a fragment talks about, in whichever process it runs.</summary>
    public static FirnApp App => throw new NotSupportedException("Docs fragments are compiled, not run.");

    /// <summary>A child's context, for fragments that show a child's entry.</summary>
    public static FirnProcessContext Context => throw new NotSupportedException("Docs fragments are compiled, not run.");

    /// <summary>The token a hook or an entry gets.</summary>
    public static CancellationToken Stopping => CancellationToken.None;

    /// <summary>An order, for fragments that send or store one.</summary>
    public static Order SomeOrder { get; } = new(42);

    /// <summary>A value to store.</summary>
    public static string SessionToken => "token";

    /// <summary>A handler for an order.</summary>
    public static void Handle(Order order) => ArgumentNullException.ThrowIfNull(order);

    /// <summary>Some asynchronous work.</summary>
    public static Task RunAsync(string job, CancellationToken cancellationToken = default) => Task.Delay(0, cancellationToken);

    /// <summary>A stream: 0 to <paramref name="count"/> - 1.</summary>
    public static async IAsyncEnumerable<int> CountAsync(int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            yield return i;
        }
    }

    /// <summary>A child's entry.</summary>
    public static Task Work(FirnProcessContext context) => Task.Delay(Timeout.Infinite, context?.Stopping ?? default);

    /// <summary>Tells an operator.</summary>
    public static void Alert(string text) => ArgumentNullException.ThrowIfNull(text);
}

/// <summary>A message of the docs' examples.</summary>
/// <param name="Id">The order's number.</param>
public sealed record Order(int Id);

/// <summary>A publication of the docs' examples.</summary>
/// <param name="Id">The order's number.</param>
public sealed record OrderPlaced(int Id);

/// <summary>An event's data in the docs' examples.</summary>
/// <param name="Id">The user's number.</param>
public sealed record User(int Id);

/// <summary>The typed service of the docs' examples.</summary>
public interface ICalculator
{
    /// <summary>Adds.</summary>
    Task<int> AddAsync(int a, int b);

    /// <summary>Counts to <paramref name="count"/>, as a stream.</summary>
    IAsyncEnumerable<int> CountAsync(int count, CancellationToken cancellationToken);
}

/// <summary>The implementation the docs' examples expose.</summary>
public sealed class Calculator : ICalculator
{
    /// <inheritdoc />
    public Task<int> AddAsync(int a, int b) => Task.FromResult(a + b);

    /// <inheritdoc />
    public IAsyncEnumerable<int> CountAsync(int count, CancellationToken cancellationToken) => DocsPrelude.CountAsync(count, cancellationToken);
}
