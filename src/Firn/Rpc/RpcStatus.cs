namespace Firn.Rpc;

/// <summary>How a call ended, as carried by the RpcResult and RpcReply frames.</summary>
internal enum RpcStatus : byte
{
    /// <summary>The handler returned; the body is its serialized result (empty for no result or the end of a stream).</summary>
    Ok = 0,

    /// <summary>The handler threw; the body carries its type name, message and stack text.</summary>
    RemoteError = 1,

    /// <summary>No process has registered the method.</summary>
    MethodNotFound = 2,

    /// <summary>The process that handled the call exited (or lost its connection) before it answered.</summary>
    ProcessExited = 3,

    /// <summary>The arguments did not fit the handler's parameters.</summary>
    InvalidArguments = 4,

    /// <summary>A limit was reached (for example calls in flight); the call was not made.</summary>
    LimitExceeded = 5,

    /// <summary>The handler returned, but its result (or a stream item) serialized to more than the message size limit; nothing of it was sent.</summary>
    ResultTooLarge = 6,
}
