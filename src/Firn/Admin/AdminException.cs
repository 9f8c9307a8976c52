namespace Firn.Admin;

/// <summary>An admin request that fails with a protocol error code; <see cref="CloseConnection"/> for a malformed request.</summary>
internal sealed class AdminException : Exception
{
    public AdminException()
        : this(AdminErrors.Failed, "The operation failed.")
    {
    }

    public AdminException(string message)
        : this(AdminErrors.Failed, message)
    {
    }

    public AdminException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = AdminErrors.Failed;
    }

    public AdminException(string code, string message, bool closeConnection = false)
        : base(message)
    {
        Code = code;
        CloseConnection = closeConnection;
    }

    public string Code { get; }

    public bool CloseConnection { get; }

    public static AdminException BadRequest(string message) => new(AdminErrors.BadRequest, message, closeConnection: true);

    public static AdminException NotFound(string message) => new(AdminErrors.NotFound, message);
}

/// <summary>The protocol's error codes (docs/admin-protocol.md).</summary>
internal static class AdminErrors
{
    public const string BadRequest = "bad-request";
    public const string UnknownOp = "unknown-op";
    public const string NotFound = "not-found";
    public const string Timeout = "timeout";
    public const string Failed = "failed";
    public const string PermissionDenied = "permission-denied";
    public const string Disabled = "disabled";
    public const string Busy = "busy";
}
