// A child program for Firn's tests: the test process is the main process and launches this program
// as each child, naming the scenario to run in the first argument.
using System.Globalization;
using Firn;
using Firn.TestChild;

// Not a child at all: a program of the same user that holds connections to a main process's socket.
if (args is ["stranger", var socketPath, var count])
{
    return await Stranger.RunAsync(socketPath, int.Parse(count, CultureInfo.InvariantCulture));
}

// A test may ask the child to record Firn's spans from its start (before its process span begins).
using var traceListener = TraceScenarios.Listen();

// A test may shorten the child's call timeout (FirnAppOptions.CallTimeout; -1 waits for ever), and give the child a
// connection buffer limit and message size limit of its own.
var callTimeout = Environment.GetEnvironmentVariable("FIRN_TEST_CALL_TIMEOUT_MS");
var bufferLimit = Environment.GetEnvironmentVariable("FIRN_TEST_CONNECTION_BUFFER_LIMIT");
var messageSize = Environment.GetEnvironmentVariable("FIRN_TEST_MAX_MESSAGE_SIZE");
var sized = messageSize is null ? new FirnAppOptions() : new FirnAppOptions { MaxMessageSize = int.Parse(messageSize, CultureInfo.InvariantCulture) };
var app = new FirnApp(new FirnAppOptions
{
    CallTimeout = callTimeout is null ? sized.CallTimeout : TimeSpan.FromMilliseconds(int.Parse(callTimeout, CultureInfo.InvariantCulture)),
    MaxMessageSize = sized.MaxMessageSize,
    ConnectionBufferLimit = bufferLimit is null ? sized.ConnectionBufferLimit : int.Parse(bufferLimit, CultureInfo.InvariantCulture),
});
if (app.IsMainProcess)
{
    Console.Error.WriteLine("Firn.TestChild runs only as a child of a Firn test; it was started directly.");
    return 64;
}

app.AddProcess(app.ProcessName, context => Scenarios.RunAsync(args, context));
return await app.RunAsync();
