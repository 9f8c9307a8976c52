using Firn.Benchmarks.FirnSide;

namespace Firn.Benchmarks.Roles;

/// <summary>
/// <c>Firn.Benchmarks role NAME ARGS…</c>: this program as a peer's child process (or, for "memory-main", as a
/// separate Firn main process). The main benchmark process starts these; they are not meant to be run by hand.
/// </summary>
internal static class RoleMain
{
    public static async Task<int> RunAsync(string[] arguments) => arguments[0] switch
    {
        "hello" => Hello(),
        "raw-send" => RawRoles.Send(arguments[1], arguments[2], arguments[3]),
        "raw-echo" => RawRoles.Echo(arguments[1]),
        "netmq-push" => NetMqRoles.Push(arguments[1], arguments[2]),
        "netmq-rep" => NetMqRoles.Reply(arguments[1]),
        "sjr-client" => await StreamJsonRpcClientRole.RunAsync(arguments[1..]),
        "sjr-echo-client" => await StreamJsonRpcEchoClientRole.RunAsync(arguments[1..]),
        "memory-main" => await MemoryMainRole.RunAsync(arguments[1], arguments[2], arguments[3]),
        "redis-host" => await OnRedis.OtherHostRole.RunAsync(arguments[1], arguments[2], arguments[3], arguments[4], arguments[5]),
        _ => throw new ArgumentException($"Unknown role '{arguments[0]}'."),
    };

    private static int Hello()
    {
        Console.WriteLine("hello");
        return 0;
    }
}
