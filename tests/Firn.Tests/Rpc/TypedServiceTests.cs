using Firn.Rpc;
using Firn.TestChild;
using Firn.Tests.Support;

namespace Firn.Tests.Rpc;

/// <summary>Typed services: an interface implemented in one process and called through a proxy in another.</summary>
public sealed class TypedServiceTests
{
    [Fact]
    public async Task A_proxy_in_main_calls_every_kind_of_method_of_a_service_in_a_child()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("calc", ["rpc-serve"])));
        Assert.Equal("ready", await app.NextReportAsync("calc"));
        var calculator = app.Rpc.GetService<ICalculator>();

        Assert.Equal(5, await calculator.AddAsync(2, 3));
        Assert.Equal(4, await calculator.DivideAsync(12, 3));
        await calculator.RememberAsync("a");
        await calculator.RememberAsync("b");
        Assert.Equal(["calc:a", "calc:b"], await calculator.RecallAsync());
        Assert.Equal(new Point(3, 6), await calculator.ScaleAsync(new Point(1, 2), 3));
        var squares = new List<int>();
        await foreach (var square in calculator.SquaresAsync(5))
        {
            squares.Add(square);
        }

        Assert.Equal([1, 4, 9, 16, 25], squares);
        var error = await Assert.ThrowsAsync<RpcRemoteException>(async () => await calculator.DivideAsync(1, 0));
        Assert.Equal("System.DivideByZeroException", error.RemoteTypeName);
        Assert.Equal("Firn.TestChild.ICalculator.DivideAsync", error.Method);
    }

    [Fact]
    public async Task A_token_parameter_of_a_service_method_cancels_the_remote_implementation()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log, ("calc", ["rpc-serve"])));
        Assert.Equal("ready", await app.NextReportAsync("calc"));
        var calculator = app.Rpc.GetService<ICalculator>(timeout: Timeout.InfiniteTimeSpan);
        using var cts = new CancellationTokenSource();

        var wait = calculator.WaitAsync(cts.Token);
        await TestApps.UntilAsync(() => app.RpcTable.Count == 1, "the call is in flight");
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        Assert.Equal("wait-cancelled", await app.NextReportAsync("calc"));
    }

    [Fact]
    public async Task A_child_calls_a_service_of_another_child_through_a_proxy()
    {
        var log = new TestLog();
        var app = TestApps.Create(log);
        app.AddProcess("calc", TestApps.ReadyChild("rpc-serve"));
        app.AddProcess("client", TestApps.Child("rpc-service-client"));
        await using var started = await TestApps.StartAsync(app);

        Assert.Equal("service:5:1,4,9,16", await app.NextReportAsync("client"));
    }

    [Fact]
    public async Task A_service_can_be_exposed_under_its_own_name_and_withdrawn()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log));
        var registration = app.Rpc.AddService<ICalculator>(new LocalCalculator(), "calc-b");

        Assert.Contains("calc-b.AddAsync", registration.Methods);
        var twice = Assert.Throws<ArgumentException>(() => app.Rpc.AddService<ICalculator>(new LocalCalculator(), "calc-b"));
        Assert.Equal("name", twice.ParamName);
        Assert.Contains("Method 'calc-b.AddAsync' is already registered in process 'main'", twice.Message, StringComparison.Ordinal);
        Assert.Equal(30, await app.Rpc.GetService<ICalculator>("calc-b").AddAsync(10, 20));
        Assert.Equal(30, await app.Rpc.CallAsync<int>("calc-b.AddAsync", 10, 20));
        registration.Dispose();
        await Assert.ThrowsAsync<RpcMethodNotFoundException>(() => app.Rpc.GetService<ICalculator>("calc-b").AddAsync(1, 2));
    }

    [Fact]
    public async Task An_interface_that_cannot_travel_is_refused_with_every_reason()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log));

        var error = Assert.Throws<NotSupportedException>(() => app.Rpc.GetService<IUnsupported>());

        Assert.Contains("property Name", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sync returns System.Int32", error.Message, StringComparison.Ordinal);
        Assert.Contains("Twice is overloaded", error.Message, StringComparison.Ordinal);
        Assert.Contains("Generic is generic", error.Message, StringComparison.Ordinal);
        Assert.Contains("by-reference parameter 'value'", error.Message, StringComparison.Ordinal);
        Assert.Contains("event Changed (use pub/sub events)", error.Message, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => app.Rpc.GetService<LocalCalculator>());
        var defaults = Assert.Throws<NotSupportedException>(() => app.Rpc.GetService<IWithDefault>());
        Assert.Contains("TwiceAsync is a default implementation", defaults.Message, StringComparison.Ordinal);
        var statics = Assert.Throws<NotSupportedException>(() => app.Rpc.GetService<IWithStaticAbstract>());
        Assert.Contains("Create is static abstract (a proxy cannot forward it)", statics.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Helper", statics.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exposing_an_interface_that_cannot_travel_is_refused_before_anything_is_registered()
    {
        var log = new TestLog();
        await using var app = await TestApps.StartAsync(TestApps.Create(log));

        var error = Assert.Throws<NotSupportedException>(() => app.Rpc.AddService<IUnsupported>(new Unsupported(), "unsupported"));
        var statics = await Assert.ThrowsAsync<NotSupportedException>(() => app.Rpc.AddServiceAsync<IWithStaticAbstract>(new WithStaticAbstract(), "statics"));

        Assert.Contains("event Changed", error.Message, StringComparison.Ordinal);
        Assert.Contains("Create is static abstract", statics.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(app.RpcTable.Methods.Keys, name => name.StartsWith("unsupported.", StringComparison.Ordinal) || name.StartsWith("statics.", StringComparison.Ordinal));
    }

    /// <summary>Declares a static abstract member; C# refuses such an interface as a type argument, so it is reached through a derived one.</summary>
    public interface IStaticAbstractBase
    {
        /// <summary>Static abstract: no instance can forward it.</summary>
        /// <returns>A number.</returns>
        static abstract int Create();

        /// <summary>A static helper with a body: not part of the contract, and not refused.</summary>
        /// <returns>A number.</returns>
        static int Helper() => 1;

        /// <summary>An ordinary service method.</summary>
        /// <returns>A number.</returns>
        Task<int> GetAsync();
    }

    /// <summary>Implements the static abstract member, so it can be a type argument; the member is still refused.</summary>
    public interface IWithStaticAbstract : IStaticAbstractBase
    {
        /// <inheritdoc />
        static int IStaticAbstractBase.Create() => 2;
    }

    /// <summary>A default interface method cannot be forwarded.</summary>
    public interface IWithDefault
    {
        /// <summary>Abstract.</summary>
        /// <returns>A number.</returns>
        Task<int> OnceAsync();

        /// <summary>With a body.</summary>
        /// <returns>A number.</returns>
        async Task<int> TwiceAsync() => 2 * await OnceAsync();
    }

    /// <summary>Every way an interface can fail to be a service.</summary>
    public interface IUnsupported
    {
        /// <summary>Gets a property.</summary>
        string Name { get; }

        /// <summary>Synchronous.</summary>
        /// <returns>A number.</returns>
        int Sync();

        /// <summary>Overload one.</summary>
        /// <returns>A task.</returns>
        Task Twice();

        /// <summary>Overload two.</summary>
        /// <param name="x">A number.</param>
        /// <returns>A task.</returns>
        Task Twice(int x);

        /// <summary>Generic.</summary>
        /// <typeparam name="T">Anything.</typeparam>
        /// <returns>A task.</returns>
        Task<T> Generic<T>();

        /// <summary>By reference.</summary>
        /// <param name="value">A number.</param>
        /// <returns>A task.</returns>
        Task Reference(ref int value);

        /// <summary>An event.</summary>
        event EventHandler Changed;
    }

    /// <summary>An implementation of <see cref="IUnsupported"/>, to try exposing it.</summary>
    public sealed class Unsupported : IUnsupported
    {
        /// <inheritdoc />
        public event EventHandler? Changed;

        /// <inheritdoc />
        public string Name => nameof(Unsupported);

        /// <inheritdoc />
        public int Sync() => Changed is null ? 0 : 1;

        /// <inheritdoc />
        public Task Twice() => Task.CompletedTask;

        /// <inheritdoc />
        public Task Twice(int x) => Task.CompletedTask;

        /// <inheritdoc />
        public Task<T> Generic<T>() => Task.FromResult(default(T)!);

        /// <inheritdoc />
        public Task Reference(ref int value) => Task.CompletedTask;
    }

    /// <summary>An implementation of <see cref="IWithStaticAbstract"/>, to try exposing it.</summary>
    public sealed class WithStaticAbstract : IWithStaticAbstract
    {
        /// <inheritdoc />
        public Task<int> GetAsync() => Task.FromResult(3);
    }

    /// <summary>An implementation in the test process.</summary>
    public sealed class LocalCalculator : ICalculator
    {
        /// <inheritdoc />
        public Task<int> AddAsync(int a, int b) => Task.FromResult(a + b);

        /// <inheritdoc />
        public ValueTask<int> DivideAsync(int a, int b) => new(a / b);

        /// <inheritdoc />
        public Task RememberAsync(string value) => Task.CompletedTask;

        /// <inheritdoc />
        public Task<List<string>> RecallAsync() => Task.FromResult(new List<string>());

        /// <inheritdoc />
        public Task WaitAsync(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);

        /// <inheritdoc />
        public IAsyncEnumerable<int> SquaresAsync(int n) => AsyncEnumerable.Range(1, n).Select(i => i * i);

        /// <inheritdoc />
        public Task<Point> ScaleAsync(Point point, int factor) => Task.FromResult(point);
    }
}
