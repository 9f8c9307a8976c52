using System.Globalization;
using Firn.Benchmarks.FirnSide;
using Firn.Benchmarks.Harness;
using Microsoft.Extensions.Logging;

namespace Firn.Benchmarks.OnRedis;

/// <summary>
/// <c>role redis-host CONFIGURATION PREFIX NAME MODE SOCKETDIR</c>: the other host of a Redis case (see
/// <see cref="OtherHost"/>), a main process on Redis named NAME. Modes: <c>b1-sender</c> (sends on command),
/// <c>b2-echo</c> (answers every ping on the pong channel, passive handler), <c>b4-server</c> (serves <c>add</c>).
/// Commands on standard input: <c>send CHANNEL COUNT</c> (the 64-character string, COUNT times; answers <c>@sent</c>).
/// </summary>
internal static class OtherHostRole
{
    public static async Task<int> RunAsync(string configuration, string prefix, string name, string mode, string socketDirectory)
    {
        using var logs = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Warning).AddFirnConsole(name));
        await using var app = FirnApps.CreateMain(logs, socketDirectory, [], redis: FirnRedisContestant.RedisOptions(configuration, prefix), mainProcessName: name);
        await app.Supervisor!.StartAsync();
        switch (mode)
        {
            case "b1-sender":
                break;
            case "b2-echo":
                var pong = app.GetChannel<string>(FirnRedisRoundTrip.Pong);
                app.GetChannel<string>(FirnRedisRoundTrip.Ping).OnReceive(pong.Send);
                break;
            case "b4-server":
                app.Rpc.Register(FirnRedisRpc.Method, (int a, int b) => a + b);
                break;
            default:
                throw new ArgumentException($"Unknown redis-host mode '{mode}'.");
        }

        Say("@ready");
        while (await Console.In.ReadLineAsync() is { } line)
        {
            var command = line.Split(' ');
            if (command is ["send", var channelName, var countText])
            {
                var channel = app.GetChannel<string>(channelName);
                var count = long.Parse(countText, CultureInfo.InvariantCulture);
                for (var i = 0L; i < count; i++)
                {
                    channel.Send(Payload.Text64);
                }

                Say("@sent");
            }
            else
            {
                throw new ArgumentException($"Unknown redis-host command '{line}'.");
            }
        }

        return 0;
    }

    private static void Say(string line)
    {
        Console.Out.WriteLine(line);
        Console.Out.Flush();
    }
}
