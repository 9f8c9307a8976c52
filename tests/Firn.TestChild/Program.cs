// A child program for Firn's tests: the test process is the main process and launches this program
// as each child, naming the scenario to run in the first argument.
using Firn;
using Firn.TestChild;

var app = new FirnApp();
if (app.IsMainProcess)
{
    Console.Error.WriteLine("Firn.TestChild runs only as a child of a Firn test; it was started directly.");
    return 64;
}

app.AddProcess(app.ProcessName, context => Scenarios.RunAsync(args, context));
return await app.RunAsync();
