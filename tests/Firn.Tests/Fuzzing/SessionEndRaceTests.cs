using Firn.Fuzzing;
using Firn.Storage;
using Firn.Transport;

namespace Firn.Tests.Fuzzing;

/// <summary>
/// A connection closed from another thread (as the supervisor closes a dead child's) while its read loop is inside a
/// frame handler: the session ends, and nothing the last frame did may outlive it.
/// </summary>
public sealed class SessionEndRaceTests
{
    /// <summary>
    /// The outcome of the race made deterministic: a handler that was already running when the session ended finishes
    /// after the main process forgot the child. It must not register anything for a child that is gone (a method
    /// registered for a dead session would block the name for the child's next instance).
    /// </summary>
    [Fact]
    public async Task A_frame_handled_after_its_session_ended_changes_nothing()
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var direct = harness.ConnectDirect("late");
        direct.End();

        byte[][] late =
        [
            ChildFrames.OpenChannel(1, "late-channel", "System.String"),
            ChildFrames.Subscribe(2, "late-topic"),
            ChildFrames.RpcRegister(3, "late.method"),
            ChildFrames.StoreRequest(4, StoreOperation.Set, "late-key", "System.Int32", payload: [1]),
        ];
        foreach (var frame in late)
        {
            direct.Session.OnFrame((FrameKind)frame[4], frame.AsSpan(FrameFormat.HeaderSize));
        }

        Assert.Empty(MainInvariants.Check(harness, new HashSet<string> { "late" }));
        Assert.DoesNotContain("late.method", harness.App.RpcTable.Methods.Keys);
        Assert.False(harness.App.SharedMemory.TryGet<int>("late-key", out _));
    }

    [Fact]
    public async Task A_session_closed_while_its_frames_are_handled_leaves_no_membership_method_or_subscription()
    {
        await using var harness = await DispatcherHarness.StartAsync();
        var random = new Random(4242);
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var name = $"racer-{attempt}";
            var child = harness.Connect(name, keepFrames: false);
            byte[] burst =
            [
                .. Enumerable.Range(0, 200).SelectMany(i => (byte[])
                [
                    .. ChildFrames.OpenChannel((uint)i, $"race-{attempt}-{i}", "System.String"),
                    .. ChildFrames.Subscribe((uint)i, $"race-{attempt}-{i}"),
                    .. ChildFrames.RpcRegister((uint)i, $"race-{attempt}-{i}"),
                ]),
            ];
            var sending = child.SendAsync(burst);
            for (var spins = random.Next(0, 3000); spins > 0; spins--)
            {
                Thread.SpinWait(10);
            }

            child.Connection.Close(ConnectionCloseReason.RemotePartyTerminated, "the process exited");
            await sending;
            await child.Ended.WaitAsync(harness.Timeout);

            var ghosts = MainInvariants.Check(harness, new HashSet<string> { name });
            Assert.True(ghosts.Count == 0, $"attempt {attempt}: {string.Join("; ", ghosts.Take(5))}");
            await harness.DropAsync(child);
        }
    }
}
