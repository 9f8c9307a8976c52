using System.Text;
using Firn.Hosting;
using Firn.Transport;

namespace Firn.Tests.Hosting;

/// <summary>
/// The handshake's checks of a Hello's proof of identity, without processes: only the expected instance's secret, from
/// its pid, as the main process's user, is accepted.
/// </summary>
public sealed class HandshakeVerifyTests
{
    private const int Pid = 4242;
    private const uint Uid = 1000;

    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");

    private static readonly ExpectedInstance Expected = new("worker", Pid, Uid, Secret);

    [Fact]
    public void The_expected_instance_with_its_secret_is_accepted()
    {
        Assert.Null(Handshake.Verify(Expected, Secret.AsSpan().ToArray(), new PeerCredentials(Pid, Uid, 0)));
    }

    [Fact]
    public void A_wrong_secret_is_refused_whoever_sends_it()
    {
        var wrong = (byte[])Secret.Clone();
        wrong[^1] ^= 1;

        Assert.Equal("wrong secret for process 'worker'", Handshake.Verify(Expected, wrong, new PeerCredentials(Pid, Uid, 0)));
        Assert.Equal("wrong secret for process 'worker'", Handshake.Verify(Expected, Secret.AsSpan(0, Secret.Length - 1), new PeerCredentials(Pid, Uid, 0)));
        Assert.Equal("wrong secret for process 'worker'", Handshake.Verify(Expected, [], new PeerCredentials(Pid, Uid, 0)));
    }

    [Fact]
    public void The_right_secret_from_another_pid_is_refused()
    {
        Assert.Equal(
            "the peer (pid 4243, uid 1000) is not the spawned process 'worker' (pid 4242)",
            Handshake.Verify(Expected, Secret, new PeerCredentials(Pid + 1, Uid, 0)));
    }

    [Fact]
    public void The_right_secret_and_pid_as_another_user_is_refused()
    {
        Assert.Equal(
            "the peer (pid 4242, uid 0) is not the spawned process 'worker' (pid 4242)",
            Handshake.Verify(Expected, Secret, new PeerCredentials(Pid, 0, 0)));
    }
}
