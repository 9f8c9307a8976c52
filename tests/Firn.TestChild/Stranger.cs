using System.Diagnostics;
using System.Net.Sockets;

namespace Firn.TestChild;

/// <summary>
/// Not a Firn child: a program of the same user that tries to hold <c>count</c> idle connections to a main
/// process's socket, opening a new one whenever the main process closes one. For each close it prints
/// "closed {milliseconds the connection lived}"; it runs until its standard input closes.
/// </summary>
internal static class Stranger
{
    public static async Task<int> RunAsync(string socketPath, int count)
    {
        using var stop = new CancellationTokenSource();
        var output = TextWriter.Synchronized(Console.Out);
        var holders = Enumerable.Range(0, count).Select(_ => HoldAsync(socketPath, output, stop.Token)).ToList();
        output.WriteLine("started");

        // The test ends it by closing standard input (or by killing it).
        await Task.Run(() => Console.In.ReadToEnd());
        await stop.CancelAsync();
        await Task.WhenAll(holders);
        return 0;
    }

    private static async Task HoldAsync(string socketPath, TextWriter output, CancellationToken stop)
    {
        var buffer = new byte[16];
        while (!stop.IsCancellationRequested)
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), stop);
                var opened = Stopwatch.GetTimestamp();
                try
                {
                    // Idle: it sends nothing and waits for the main process to close it.
                    while (await socket.ReceiveAsync(buffer, SocketFlags.None, stop) > 0)
                    {
                    }
                }
                catch (SocketException)
                {
                    // A reset: closed as well.
                }

                output.WriteLine($"closed {(long)Stopwatch.GetElapsedTime(opened).TotalMilliseconds}");
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                // The backlog is full or the socket is gone: try again shortly.
            }

            try
            {
                // Reopen at once, but not in a tight loop that would only measure the machine.
                await Task.Delay(20, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
