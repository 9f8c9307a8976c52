namespace Firn.Tests.GenericHost.Configuration;

/// <summary>
/// Each bound, at its edge: the last valid value passes and the first invalid one fails with a message that names the
/// full key and the value. The bounds themselves are the options' own (the validator sets them and reports what throws).
/// </summary>
public sealed class BoundsTests
{
    /// <summary>(key under Firn, last valid value, first invalid value, what the failure says).</summary>
    public static TheoryData<string, string, string, string> AppBounds() => new()
    {
        { "MaxMessageSize", "1024", "1023", "between 1 KiB and 1 GiB (was 1023)" },
        { "MaxMessageSize", "1073741824", "1073741825", "between 1 KiB and 1 GiB (was 1073741825)" },
        { "ChannelSendWindow", "1", "0", "between 1 and 1,048,576 messages (was 0)" },
        { "ChannelSendWindow", "1048576", "1048577", "(was 1048577)" },
        { "StartTimeout", "00:00:00.0000001", "00:00:00", "The timeout must be positive and at most 24.20:31:23.6470000 (was 00:00:00)" },
        { "ShutdownTimeout", "00:00:00.0000001", "00:00:00", "must be positive and at most 24.20:31:23.6470000 (was 00:00:00)" },
        { "StopTimeout", "00:00:00.0000001", "Infinite", "must be positive and at most 24.20:31:23.6470000 (was Infinite)" },
        { "ShutdownHookTimeout", "00:00:00.0000001", "-00:00:01", "must be positive and at most 24.20:31:23.6470000 (was -00:00:01)" },
        { "HandshakeTimeout", "00:00:00.0000001", "00:00:00", "must be positive and at most 24.20:31:23.6470000 (was 00:00:00)" },
        { "StoreMaxKeys", "1", "0", "at least one key (was 0)" },
        { "StoreMaxBytes", "1", "0", "at least one byte (was 0)" },
        { "CallTimeout", "00:00:00.0000001", "00:00:00", "positive and at most 24.20:31:23.6470000, or Timeout.InfiniteTimeSpan (was 00:00:00)" },
        { "CallTimeout", "24.20:31:23.647", "24.20:31:23.6480000", "(was 24.20:31:23.6480000)" },
        { "CallTimeout", "Infinite", "-00:00:00.002", "(was -00:00:00.0020000)" },
        { "MaxCallsInFlight", "1", "0", "At least one call must be allowed in flight (was 0)" },
        { "MaxChannelsPerProcess", "1", "0", "at least one channel (was 0)" },
        { "HeartbeatInterval", "00:00:00.0000001", "00:00:00", "must be positive and at most 24.20:31:23.6470000 (was 00:00:00)" },
        { "HeartbeatTimeout", "Infinite", "00:00:00", "must be positive and at most 24.20:31:23.6470000 (was 00:00:00)" },
        { "StartTimeout", "24.20:31:23.647", "24.20:31:23.6480000", "at most 24.20:31:23.6470000 (was 24.20:31:23.6480000)" },
        { "ShutdownTimeout", "24.20:31:23.647", "24.20:31:23.6480000", "at most 24.20:31:23.6470000 (was 24.20:31:23.6480000)" },
        { "StopTimeout", "24.20:31:23.647", "24.20:31:23.6480000", "at most 24.20:31:23.6470000 (was 24.20:31:23.6480000)" },
        { "ShutdownHookTimeout", "24.20:31:23.647", "24.20:31:23.6480000", "at most 24.20:31:23.6470000 (was 24.20:31:23.6480000)" },
        { "HandshakeTimeout", "24.20:31:23.647", "24.20:31:23.6480000", "at most 24.20:31:23.6470000 (was 24.20:31:23.6480000)" },
        { "HeartbeatTimeout", "24.20:31:23.647", "24.20:31:23.6480000", "at most 24.20:31:23.6470000 (was 24.20:31:23.6480000)" },
        { "SocketPollWindow", "00:00:00.001", "00:00:00.0010001", "The socket poll window must not be negative, and at most 00:00:00.0010000 (was 00:00:00.0010001)" },
        { "SocketPollWindow", "00:00:00", "-00:00:00.0000001", "must not be negative, and at most 00:00:00.0010000 (was -00:00:00.0000001)" },
        { "SocketDirectory", "/run/x", "", "must not be empty; leave the key out for the default" },
        { "MainProcessName", "conductor", "", "must not be empty" },
    };

    /// <summary>(key under Firn:Processes:nonebot, last valid value, first invalid value, what the failure says).</summary>
    public static TheoryData<string, string, string, string> ProcessBounds() => new()
    {
        { "MaxRestarts", "0", "-1", "MaxRestarts must be 0 or more (was -1)" },
        { "RestartWindow", "00:00:00.0000001", "00:00:00", "RestartWindow must be positive (was 00:00:00)" },
        { "RestartDelay", "00:00:00", "-00:00:00.0000001", "RestartDelay must not be negative, and at most 24.20:31:23.6470000 (was -00:00:00.0000001)" },
        { "BackoffResetAfter", "00:00:00.0000001", "00:00:00", "BackoffResetAfter must be positive (was 00:00:00)" },
        { "StartTimeout", "00:00:00.0000001", "00:00:00", "StartTimeout must be positive and at most 24.20:31:23.6470000 (was 00:00:00)" },
        { "ShutdownTimeout", "00:00:00.0000001", "00:00:00", "ShutdownTimeout must be positive and at most 24.20:31:23.6470000 (was 00:00:00)" },
        { "KillTimeout", "00:00:00.0000001", "00:00:00", "KillTimeout must be positive and at most 24.20:31:23.6470000 (was 00:00:00)" },
        { "MaxRestartDelay", "24.20:31:23.647", "24.20:31:23.6480000", "MaxRestartDelay must not be negative, and at most 24.20:31:23.6470000 (was 24.20:31:23.6480000)" },
        { "StartTimeout", "24.20:31:23.647", "24.20:31:23.6480000", "StartTimeout must be positive and at most 24.20:31:23.6470000 (was 24.20:31:23.6480000)" },
        { "ShutdownTimeout", "24.20:31:23.647", "24.20:31:23.6480000", "ShutdownTimeout must be positive and at most 24.20:31:23.6470000 (was 24.20:31:23.6480000)" },
        { "KillTimeout", "24.20:31:23.647", "24.20:31:23.6480000", "KillTimeout must be positive and at most 24.20:31:23.6470000 (was 24.20:31:23.6480000)" },
        { "Executable", "/bin/true", "", "must not be empty" },
        { "WorkingDirectory", "/tmp", "", "must not be empty" },
    };

    [Theory]
    [MemberData(nameof(AppBounds))]
    public void An_app_setting_passes_at_its_bound_and_fails_past_it_naming_the_key(string key, string valid, string invalid, string says)
    {
        // A small message size keeps the cross check on ConnectionBufferLimit out of the way of the bound under test.
        (string, string?) small = ("MaxMessageSize", "1024");

        Assert.Empty(FirnSection.Problems(FirnSection.Of(key == "MaxMessageSize" ? [(key, valid)] : [small, (key, valid)])));
        var problem = Assert.Single(FirnSection.Problems(FirnSection.Of(key == "MaxMessageSize" ? [(key, invalid)] : [small, (key, invalid)])));
        Assert.StartsWith($"Firn:{key}: ", problem, StringComparison.Ordinal);
        Assert.Contains(says, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_socket_poll_window_names_its_range_and_the_value_once()
    {
        var problem = Assert.Single(FirnSection.Problems(FirnSection.Of(("SocketPollWindow", "Infinite"))));
        Assert.Equal("Firn:SocketPollWindow: The socket poll window must not be negative, and at most 00:00:00.0010000 (was Infinite)", problem);
    }

    [Theory]
    [MemberData(nameof(ProcessBounds))]
    public void A_process_setting_passes_at_its_bound_and_fails_past_it_naming_the_key(string key, string valid, string invalid, string says)
    {
        var code = FirnSection.Declaring("nonebot");

        Assert.Empty(FirnSection.Problems(FirnSection.Of(($"Processes:nonebot:{key}", valid)), code));
        var problem = Assert.Single(FirnSection.Problems(FirnSection.Of(($"Processes:nonebot:{key}", invalid)), code));
        Assert.Equal($"Firn:Processes:nonebot:{key}: {says}", problem[..Math.Min(problem.Length, $"Firn:Processes:nonebot:{key}: {says}".Length)]);
    }

    [Fact]
    public void MainProcessName_must_be_well_formed_UTF16()
    {
        var problem = Assert.Single(FirnSection.Problems(FirnSection.Of(("MainProcessName", "main\uD800"))));

        Assert.StartsWith("Firn:MainProcessName: The main process's name must be well-formed UTF-16", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxRestartDelay_passes_at_zero_and_fails_below_it()
    {
        var code = FirnSection.Declaring("nonebot");

        Assert.Empty(FirnSection.Problems(FirnSection.Of(("Processes:nonebot:RestartDelay", "00:00:00"), ("Processes:nonebot:MaxRestartDelay", "00:00:00")), code));
        var problem = Assert.Single(FirnSection.Problems(FirnSection.Of(("Processes:nonebot:RestartDelay", "00:00:00"), ("Processes:nonebot:MaxRestartDelay", "-00:00:00.0000001")), code));
        Assert.Equal("Firn:Processes:nonebot:MaxRestartDelay: MaxRestartDelay must not be negative, and at most 24.20:31:23.6470000 (was -00:00:00.0000001)", problem);
    }

    [Fact]
    public void MaxRestartDelay_must_be_at_least_RestartDelay_counting_the_code_value()
    {
        var code = FirnSection.Declaring("nonebot");
        code.Processes["nonebot"] = new ProcessOptions { RestartDelay = TimeSpan.FromSeconds(5) };

        Assert.Empty(FirnSection.Problems(FirnSection.Of(("Processes:nonebot:MaxRestartDelay", "00:00:05")), code));
        Assert.Equal(
            ["Firn:Processes:nonebot:MaxRestartDelay: must be at least Firn:Processes:nonebot:RestartDelay (00:00:05) (was 00:00:04.9999999)"],
            FirnSection.Problems(FirnSection.Of(("Processes:nonebot:MaxRestartDelay", "00:00:04.9999999")), code));
    }

    [Fact]
    public void HeartbeatTimeout_must_be_longer_than_HeartbeatInterval()
    {
        Assert.Empty(FirnSection.Problems(FirnSection.Of(("HeartbeatInterval", "00:00:01"), ("HeartbeatTimeout", "00:00:01.0000001"))));
        Assert.Empty(FirnSection.Problems(FirnSection.Of(("HeartbeatInterval", "00:00:30"), ("HeartbeatTimeout", "Infinite"))));
        Assert.Equal(
            ["Firn:HeartbeatTimeout: must be longer than Firn:HeartbeatInterval (00:00:01), or a child would be killed between two pings; Infinite turns heartbeats off (was 00:00:01)"],
            FirnSection.Problems(FirnSection.Of(("HeartbeatInterval", "00:00:01"), ("HeartbeatTimeout", "00:00:01"))));
    }

    [Fact]
    public void A_configured_interval_is_checked_against_the_code_timeout()
    {
        var code = new Firn.GenericHost.Configuration.CodeDeclarations { AppOptions = new FirnAppOptions { HeartbeatTimeout = TimeSpan.FromSeconds(3) } };

        var problem = Assert.Single(FirnSection.Problems(FirnSection.Of(("HeartbeatInterval", "00:00:05")), code));

        Assert.StartsWith("Firn:HeartbeatTimeout: must be longer than Firn:HeartbeatInterval (00:00:05)", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ConnectionBufferLimit_has_its_own_floor_and_must_hold_the_largest_frame()
    {
        var frame = 1024 + Firn.Transport.FrameFormat.EnvelopeAllowance + Firn.Transport.FrameFormat.HeaderSize;

        Assert.Contains("The connection buffer limit is at least 64 KiB (was 65535)", Assert.Single(FirnSection.Problems(FirnSection.Of(("MaxMessageSize", "1024"), ("ConnectionBufferLimit", "65535")))), StringComparison.Ordinal);
        Assert.Empty(FirnSection.Problems(FirnSection.Of(("MaxMessageSize", "1024"), ("ConnectionBufferLimit", $"{frame}"))));
        Assert.Equal(
            [$"Firn:ConnectionBufferLimit: must hold one frame of the largest message, Firn:MaxMessageSize (1024) plus {frame - 1024} bytes = {frame} (was {frame - 1})"],
            FirnSection.Problems(FirnSection.Of(("MaxMessageSize", "1024"), ("ConnectionBufferLimit", $"{frame - 1}"))));
    }

    [Fact]
    public void A_configured_message_size_is_checked_against_the_code_buffer_limit()
    {
        var code = new Firn.GenericHost.Configuration.CodeDeclarations { AppOptions = new FirnAppOptions { ConnectionBufferLimit = 1 << 20 } };

        var problem = Assert.Single(FirnSection.Problems(FirnSection.Of(("MaxMessageSize", "2097152")), code));

        Assert.StartsWith("Firn:ConnectionBufferLimit: must hold one frame of the largest message, Firn:MaxMessageSize (2097152)", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var problems = FirnSection.Problems(
            FirnSection.Of(("ChannelSendWindow", "0"), ("StoreMaxKeys", "0"), ("Processes:nonebot:MaxRestarts", "-1"), ("Processes:nonebot:KillTimeout", "00:00:00")),
            FirnSection.Declaring("nonebot"));

        Assert.Equal(["Firn:ChannelSendWindow", "Firn:StoreMaxKeys", "Firn:Processes:nonebot:MaxRestarts", "Firn:Processes:nonebot:KillTimeout"], problems.Select(p => p[..p.IndexOf(": ", StringComparison.Ordinal)]));
    }

    [Fact]
    public void The_checks_across_settings_are_reported_with_a_setting_out_of_bounds()
    {
        // An out-of-bounds setting stands aside (the code's value takes its place), so the checks across the others
        // still run: an operator sees every problem in one start, not one per fix.
        var problems = FirnSection.Problems(
            FirnSection.Of(
                ("ChannelSendWindow", "0"),
                ("MainProcessName", "nonebot"),
                ("HeartbeatTimeout", "00:00:01"),
                ("MaxMessageSize", "1024"),
                ("ConnectionBufferLimit", "66564"),
                ("AdminLogLines", "-5")),
            FirnSection.Declaring("nonebot"));

        Assert.Equal(
            ["Firn:ChannelSendWindow", "Firn:AdminLogLines", "Firn:HeartbeatTimeout", "Firn:ConnectionBufferLimit", "Firn:MainProcessName"],
            problems.Select(p => p[..p.IndexOf(": ", StringComparison.Ordinal)]));
    }

    [Fact]
    public void A_cross_check_uses_the_code_value_in_place_of_a_setting_out_of_bounds()
    {
        var problems = FirnSection.Problems(FirnSection.Of(("HeartbeatInterval", "00:00:00"), ("HeartbeatTimeout", "00:00:01")));

        Assert.Equal(2, problems.Count);
        Assert.StartsWith("Firn:HeartbeatInterval: The timeout must be positive", problems[0], StringComparison.Ordinal);
        Assert.StartsWith("Firn:HeartbeatTimeout: must be longer than Firn:HeartbeatInterval (00:00:01)", problems[1], StringComparison.Ordinal);
    }
}
