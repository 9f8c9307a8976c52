namespace Firn.Tests.Contracts;

/// <summary>The base of every contract: the target of its fixture, and names no other test of the class uses.</summary>
public abstract class ContractTests
{
    private static int s_nextTest;
    private readonly ContractFixture _fixture;
    private readonly string _prefix;

    private protected ContractTests(ContractFixture fixture)
    {
        _fixture = fixture;
        _prefix = "t" + Interlocked.Increment(ref s_nextTest).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private protected ContractTarget Target => _fixture.Target;

    private protected ContractSide Subject => Target.Subject;

    private protected ContractSide Peer => Target.Peer;

    private protected FirnApp Main => Target.Main;

    /// <summary>A name (of a channel, key, topic, method, collector...) unique to this test.</summary>
    private protected string Name(string what) => $"{_prefix}.{what}";

    /// <summary>Polls an asynchronous <paramref name="condition"/> (an operation's result) until it holds.</summary>
    private protected static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Support.TestApps.Timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Whether the main process's router has <paramref name="process"/> receiving in active mode on <paramref name="channel"/>.</summary>
    private protected bool IsActiveReceiver(string channel, string process) => Main.Supervisor!.GetChannels().Any(info =>
        info.Name == channel && info.Members.Any(member => member.ProcessName == process && member.Mode == ReceiveMode.Active));

    /// <summary>Messages of <paramref name="channel"/> delivered to receivers and not yet acknowledged, as the main process counts them.</summary>
    private protected int Unconsumed(string channel) => Main.Supervisor!.GetChannels().Single(info => info.Name == channel).Unconsumed;

    /// <summary>Starts a target of the fixture's flavour with other settings; dispose it.</summary>
    private protected Task<ContractTarget> StartTargetAsync(ContractSettings settings) => _fixture.StartAsync(settings);
}
