// Firn's benchmark suite: Firn and its peers in the same run, alternating; see bench/README.md.
//
//   dotnet run -c Release --project bench/Firn.Benchmarks -- all        the full suite (≥ 5 runs per case)
//   dotnet run -c Release --project bench/Firn.Benchmarks -- --quick    the smoke test (about a minute)
//   dotnet run -c Release --project bench/Firn.Benchmarks -- B1 B2      some cases
//
// The same executable also runs as every child process: a Firn child (the Firn environment is set) or a peer's
// process ("role ...").
using Firn;
using Firn.Benchmarks;
using Firn.Benchmarks.FirnSide;
using Firn.Benchmarks.Roles;

if (FirnChildMain.IsFirnChild)
{
    return await FirnChildMain.RunAsync();
}

if (args.Length > 0 && args[0] == "role")
{
    return await RoleMain.RunAsync(args[1..]);
}

return await BenchCli.RunAsync(args);
