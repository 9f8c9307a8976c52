using Firn;
using Firn.Fuzzing;
using SharpFuzz;

// The AFL++ target: see tools/fuzz-afl.sh and docs/FUZZING.md.
//   Firn.Fuzz.Afl                          run under afl-fuzz (reads each input AFL gives it)
//   Firn.Fuzz.Afl --corpus DIR             write seed inputs
//   Firn.Fuzz.Afl --dictionary FILE        write an AFL dictionary
//   Firn.Fuzz.Afl --run FILE...            run inputs once (to look at a crash AFL saved)
switch (args)
{
    case ["--corpus", var directory]:
        Directory.CreateDirectory(directory);
        var n = 0;
        foreach (var input in AflInput.Corpus(48))
        {
            File.WriteAllBytes(Path.Combine(directory, $"seed-{n++:D3}"), input);
        }

        return 0;
    case ["--dictionary", var file]:
        File.WriteAllLines(file, AflInput.Dictionary());
        return 0;
    case ["--run", .. var files]:
        var failed = 0;
        foreach (var file in files)
        {
            try
            {
                AflInput.Run(File.ReadAllBytes(file));
                Console.WriteLine($"{file}: ok");
            }
            catch (Exception ex)
            {
                failed++;
                Console.WriteLine($"{file}: {ex}");
            }
        }

        return failed == 0 ? 0 : 1;
    case []:
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            AflInput.Run(buffer.ToArray());
        });
        return 0;
    default:
        Console.Error.WriteLine("usage: Firn.Fuzz.Afl [--corpus DIR | --dictionary FILE | --run FILE...]");
        return 2;
}
