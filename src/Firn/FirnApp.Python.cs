using Firn.Hosting;

namespace Firn;

/// <content>Children written in Python (docs/python.md).</content>
public sealed partial class FirnApp
{
    /// <summary>
    /// Declares a child written in Python with the <c>firn</c> package (clients/python): the interpreter runs
    /// <paramref name="module"/> as <c>python -m</c> would. The interpreter is <paramref name="options"/>'
    /// <see cref="ProcessOptions.Executable"/> if set, else the <c>FIRN_PYTHON</c> environment variable, else
    /// <c>python3</c> on <c>PATH</c>; it is executed directly, so the pid spawned is the pid that connects. A missing
    /// interpreter fails the start with a message naming it; a missing <c>firn</c> package or <c>msgpack</c> makes the
    /// child write why on standard error (logged by the main process) and exit with code 5.
    /// </summary>
    /// <param name="name">A unique name; the Python program connects with it (from the environment).</param>
    /// <param name="module">The module to run, e.g. <c>mybot</c> or <c>mybot.main</c>.</param>
    /// <param name="options">Supervision settings, extra <see cref="ProcessOptions.Arguments"/> (after the module) and environment; <see cref="ProcessOptions.Executable"/> picks the interpreter.</param>
    /// <param name="pythonPath">Directories put in front of the child's <c>PYTHONPATH</c> (relative ones against its working directory), e.g. the module's folder and clients/python.</param>
    /// <returns>This app, for chaining.</returns>
    public FirnApp AddPythonProcess(string name, string module, ProcessOptions? options = null, IEnumerable<string>? pythonPath = null) =>
        AddProcess(name, PythonLauncher.Options(module, options, pythonPath));
}
