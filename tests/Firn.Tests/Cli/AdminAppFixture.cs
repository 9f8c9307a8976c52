namespace Firn.Tests.Cli;

/// <summary>One running test app shared by the tests of a class (they run one after another).</summary>
public sealed class AdminAppFixture : IAsyncLifetime
{
    private AdminApp? _app;

    internal AdminApp App => _app ?? throw new InvalidOperationException("The app is not started.");

    public async Task InitializeAsync() => _app = await AdminApp.StartAsync();

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
