using System.Globalization;
using Firn.Benchmarks.Harness;
using NetMQ;
using NetMQ.Sockets;

namespace Firn.Benchmarks.Roles;

/// <summary>The child side of the NetMQ peer.</summary>
internal static class NetMqRoles
{
    /// <summary><c>netmq-push ADDRESS COUNT</c>: sends COUNT 64-byte frames.</summary>
    public static int Push(string address, string count)
    {
        using (var push = new PushSocket())
        {
            push.Options.Linger = TimeSpan.FromSeconds(30);
            push.Connect(address);
            var total = long.Parse(count, CultureInfo.InvariantCulture);
            for (var i = 0L; i < total; i++)
            {
                push.SendFrame(Payload.Text64Bytes);
            }
        }

        NetMQConfig.Cleanup(block: true);
        return 0;
    }

    /// <summary><c>netmq-rep ADDRESS</c>: answers every request with its own bytes until an empty one.</summary>
    public static int Reply(string address)
    {
        using (var reply = new ResponseSocket())
        {
            reply.Connect(address);
            while (true)
            {
                var message = reply.ReceiveFrameBytes();
                if (message.Length == 0)
                {
                    break;
                }

                reply.SendFrame(message);
            }
        }

        NetMQConfig.Cleanup(block: false);
        return 0;
    }
}
