using System.Diagnostics;
using Firn.Fuzzing;
using Xunit.Abstractions;

namespace Firn.Tests.Fuzzing;

/// <summary>
/// The seeded fuzzers, bounded for CI: the same seed runs the same cases every time (set FIRN_FUZZ_SEED to try
/// another). A failure names the seed and the case, and the command that replays it; longer runs:
/// <c>dotnet run -c Release --project tools/Firn.Fuzz -- --seconds 600</c>.
/// </summary>
public sealed class SeededFuzzTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 20_240_611;

    [Fact]
    public Task The_frame_decoder_survives_random_buffers_and_streams() => RunAsync(DecoderFuzzer.TargetName, cases: 1_000);

    [Fact]
    public Task The_read_loop_hands_its_handler_exactly_the_frames_of_streams_cut_anywhere() => RunAsync(ConnectionFuzzer.TargetName, cases: 160);

    [Fact]
    public Task The_dispatcher_survives_mutated_frames_from_several_children_and_keeps_serving_the_control_child() => RunAsync(DispatcherFuzzer.TargetName, cases: 3_000);

    [Fact]
    public void The_coverage_guided_target_runs_its_seed_inputs_and_inputs_cut_anywhere()
    {
        // What tools/fuzz-afl.sh runs under afl-fuzz, without the instrumentation: kept working by CI.
        var inputs = AflInput.Corpus(48).ToList();
        foreach (var input in inputs)
        {
            AflInput.Run(input);
        }

        var random = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var input = random.Pick(inputs);
            AflInput.Run(input.AsSpan(0, random.Next(input.Length + 1)));
        }
    }

    private async Task RunAsync(string name, int cases)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FIRN_FUZZ_SEED"), out var chosen) ? chosen : DefaultSeed;
        var clock = Stopwatch.StartNew();
        await using var target = FuzzTargets.Create(name, seed);
        for (var index = 0; index < cases; index++)
        {
            await target.RunCaseAsync(index);
        }

        output.WriteLine($"{name}: seed {seed}, {cases} cases in {clock.Elapsed.TotalSeconds:F1} s; {FuzzTargets.Describe(target)}");
    }
}
