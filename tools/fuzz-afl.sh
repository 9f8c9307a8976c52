#!/usr/bin/env bash
# Coverage-guided fuzzing of Firn's frame decoder and dispatcher with AFL++ and SharpFuzz. Not run in CI.
#
#   tools/fuzz-afl.sh [seconds]        (default 300)
#
# Installs what it needs (Debian's afl++, the sharpfuzz tool from NuGet), publishes tools/Firn.Fuzz.Afl, instruments
# its copy of Firn.dll, writes seed inputs and a dictionary, runs afl-fuzz for the given time, then replays every
# crash and hang it saved and prints a summary. Everything goes to artifacts/afl/ (ignored by git); crashes are in
# artifacts/afl/findings/default/crashes. See docs/FUZZING.md.
set -euo pipefail
seconds="${1:-300}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/artifacts/afl"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v afl-fuzz >/dev/null; then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y afl++
fi

if [[ ! -x "$work/tools/sharpfuzz" ]]; then
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$work/tools"
fi

rm -rf "$work/bin" "$work/plain" "$work/corpus" "$work/findings"
mkdir -p "$work"
# Two copies: "plain" writes the seeds and replays findings; "bin" has an instrumented Firn.dll, which only runs under
# afl-fuzz (its coverage counters write to AFL's shared memory). Only Firn.dll is instrumented: coverage of Firn's code
# guides the fuzzer, not MessagePack's or the harness's.
dotnet publish "$root/tools/Firn.Fuzz.Afl/Firn.Fuzz.Afl.csproj" -c Release -o "$work/plain" -v quiet
cp -r "$work/plain" "$work/bin"
DOTNET_ROLL_FORWARD=Major "$work/tools/sharpfuzz" "$work/bin/Firn.dll"
dotnet "$work/plain/Firn.Fuzz.Afl.dll" --corpus "$work/corpus"
dotnet "$work/plain/Firn.Fuzz.Afl.dll" --dictionary "$work/firn.dict"

# dotnet is not an AFL binary (the instrumentation is in the managed code); a container may route core dumps elsewhere.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
echo "afl-fuzz for ${seconds}s; log in $work/afl-fuzz.log"
set +e
afl-fuzz -V "$seconds" -i "$work/corpus" -o "$work/findings" -x "$work/firn.dict" -t 10000 -m none \
  -- dotnet "$work/bin/Firn.Fuzz.Afl.dll" > "$work/afl-fuzz.log" 2>&1
status=$?
set -e

stats="$work/findings/default/fuzzer_stats"
if [[ ! -f "$stats" ]]; then
  echo "afl-fuzz did not start (exit $status); the end of its log:" >&2
  tail -n 30 "$work/afl-fuzz.log" >&2
  exit 1
fi

grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|bitmap_cvg|stability|saved_crashes|saved_hangs)' "$stats"
shopt -s nullglob
crashes=("$work"/findings/default/crashes/id:*)
hangs=("$work"/findings/default/hangs/id:*)
if (( ${#crashes[@]} + ${#hangs[@]} > 0 )); then
  echo "replaying ${#crashes[@]} crashes and ${#hangs[@]} hangs:"
  dotnet "$work/plain/Firn.Fuzz.Afl.dll" --run "${crashes[@]}" "${hangs[@]}" || true
  exit 1
fi

echo "no crashes or hangs"
