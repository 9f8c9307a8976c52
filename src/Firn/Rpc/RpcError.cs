using Firn.Transport;

namespace Firn.Rpc;

/// <summary>
/// Why a call failed, as it travels in the body of a failed RpcResult or RpcReply: the process that
/// reports it, and for a handler's exception its type name, message and stack text.
/// </summary>
internal readonly record struct RpcError(string ProcessName, string TypeName, string Message, string StackTrace)
{
    /// <summary>Long messages and stacks are cut so the frame stays small; the start is what helps.</summary>
    private const int MaxTextLength = 8 * 1024;

    public static RpcError FromException(string processName, Exception exception) =>
        new(processName, exception.GetType().FullName ?? exception.GetType().Name, exception.Message, exception.StackTrace ?? string.Empty);

    public static RpcError Plain(string processName, string message) => new(processName, string.Empty, message, string.Empty);

    public static RpcError Decode(ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body);
        return new RpcError(reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString());
    }

    public ReadOnlySpan<byte> Encode() =>
        new BodyWriter().WriteText(Cut(ProcessName)).WriteText(Cut(TypeName)).WriteText(Cut(Message)).WriteText(Cut(StackTrace)).Written;

    private static string Cut(string text) => text.Length <= MaxTextLength ? text : string.Concat(text.AsSpan(0, MaxTextLength), " [cut]");
}
