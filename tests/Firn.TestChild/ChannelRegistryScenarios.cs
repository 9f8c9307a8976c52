using System.Globalization;

namespace Firn.TestChild;

/// <summary>Channel registry, channels inside messages, and Select feeders. Results go back on "report-{name}".</summary>
internal static class ChannelRegistryScenarios
{
    public static async Task<bool> TryRunAsync(string[] args, FirnProcessContext context)
    {
        var app = context.App;
        var report = app.GetChannel<string>("report-" + context.ProcessName);
        var stopping = context.Stopping;
        switch (args[0])
        {
            case "registry-member":
                // Opens "{prefix}-*" channels in every mode, then lists the channels named "{prefix}-*" whenever
                // "list" arrives on its active channel (the async form, then the sync form, which must agree).
                var prefix = args[1];
                var active = app.GetChannel<int>(prefix + "-active");
                active.TryReceive(out _);
                app.GetChannel<string>(prefix + "-passive").OnReceive(_ => { });
                app.GetChannel<long>(prefix + "-sendonly");
                app.GetChannel<int>(prefix + "-held").TryReceive(out _);
                await report.SendAsync("ready", stopping);
                while (await context.ActiveChannel.ReceiveAsync(stopping) is "list")
                {
                    string listing;
                    try
                    {
                        listing = ChannelListing.Format(await app.GetChannelsAsync(stopping), prefix);
                    }
                    catch (InvalidOperationException ex)
                    {
                        listing = "error: " + ex.Message;
                    }

                    await report.SendAsync(listing, stopping);
                }

                break;

            case "registry-register":
                // The test registered "pre-registered" as Channel<int> before it started; this child looks it up,
                // misses a name nobody opened, and registers "child-registered" as Channel<string>.
                var hit = app.TryGetChannel<int>("pre-registered", out var preRegistered);
                var miss = app.TryGetChannel<int>("never-opened", out var never);
                var registered = app.GetChannel<string>("child-registered");
                var same = ReferenceEquals(registered, app.GetChannel<string>("child-registered"))
                    && ReferenceEquals(registered, app.GetChannel<string>("child-registered"));
                await report.SendAsync($"hit={hit}:{preRegistered?.Name} miss={miss}:{never is null} same={same}", stopping);
                await report.SendAsync(Catch(() => app.GetChannel<string>("pre-registered")), stopping);
                await report.SendAsync(Catch(() => app.GetChannel<int>("child-registered")), stopping);
                await report.SendAsync(Catch(() => app.TryGetChannel<string>("pre-registered", out _)), stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            case "handoff-user":
                // Takes Handoff messages from args[1]; for each, answers "got:{note}" on the channel inside it, then
                // reports what comes back on that channel. A message it cannot read is reported and skipped.
                var handoffs = app.GetChannel<Handoff>(args[1]);
                while (!stopping.IsCancellationRequested)
                {
                    Handoff handoff;
                    try
                    {
                        handoff = await handoffs.ReceiveAsync(stopping);
                    }
                    catch (ChannelTypeMismatchException ex)
                    {
                        await report.SendAsync("error: " + ex.Message, stopping);
                        continue;
                    }

                    await handoff.Reply.SendAsync("got:" + handoff.Note, stopping);
                    var back = await handoff.Reply.ReceiveAsync(stopping);
                    await report.SendAsync("back:" + back, stopping);
                }

                break;

            case "handoff-maker":
                // Hands its own channel args[2] to whoever takes Handoff messages from args[1], reports the answer,
                // then talks back on the same channel.
                var mine = app.GetChannel<string>(args[2]);
                await app.GetChannel<Handoff>(args[1]).SendAsync(new Handoff(context.ProcessName, mine), stopping);
                await report.SendAsync("maker-got:" + await mine.ReceiveAsync(stopping), stopping);
                await mine.SendAsync("pong-from-" + context.ProcessName, stopping);
                await Scenarios.WaitForStop(stopping);
                break;

            case "handoff-shared":
                // A Handoff read from the store (key args[1]) and one published on topic args[2]: each channel works.
                var stored = await app.SharedMemory.GetAsync<Handoff?>(args[1], null, stopping);
                await stored!.Reply.SendAsync("got:" + stored.Note, stopping);
                using (await app.SharedMemory.SubscribeAsync<Handoff>(args[2], (_, published) => published.Reply.SendAsync("got:" + published.Note).AsTask(), cancellationToken: stopping))
                {
                    await report.SendAsync("subscribed", stopping);
                    await Scenarios.WaitForStop(stopping);
                }

                break;

            case "sender":
                // Obeys commands on its active channel, reporting "done" after each: "send {channel} {count}" sends
                // 0..count-1 on Channel<int> {channel}; "close {channel}" closes it.
                while (await context.ActiveChannel.ReceiveAsync(stopping) is string command)
                {
                    var parts = command.Split(' ');
                    var channel = app.GetChannel<int>(parts[1]);
                    if (parts[0] == "send")
                    {
                        var count = int.Parse(parts[2], CultureInfo.InvariantCulture);
                        for (var i = 0; i < count; i++)
                        {
                            await channel.SendAsync(i, stopping);
                        }
                    }
                    else
                    {
                        channel.Close();
                    }

                    await report.SendAsync("done", stopping);
                }

                break;

            default:
                return false;
        }

        return true;
    }

    private static string Catch(Action action)
    {
        try
        {
            action();
            return "no error";
        }
        catch (ChannelTypeMismatchException ex)
        {
            return ex.Message;
        }
    }
}

/// <summary>A message that carries a channel: the receiver answers on <paramref name="Reply"/>.</summary>
/// <param name="Note">Any text.</param>
/// <param name="Reply">A channel the receiver can use both ways.</param>
public sealed record Handoff(string Note, Channel<string> Reply);

/// <summary>Formats a channel listing the same way in the test and in a child, so the two can be compared.</summary>
public static class ChannelListing
{
    /// <summary>One line per channel whose name starts with <paramref name="prefix"/>: name|type|process:mode,...|queued|unconsumed|closed.</summary>
    /// <param name="channels">The listing.</param>
    /// <param name="prefix">Which channels to show.</param>
    /// <returns>The lines, joined with newlines.</returns>
    public static string Format(IEnumerable<ChannelInfo> channels, string prefix) => string.Join(
        '\n',
        channels
            .Where(c => c.Name.StartsWith(prefix + "-", StringComparison.Ordinal))
            .Select(c => $"{c.Name}|{c.TypeName}|{string.Join(',', c.Members.Select(m => $"{m.ProcessName}:{m.Mode}"))}|{c.Queued}|{c.Unconsumed}|{c.IsClosed}"));
}
