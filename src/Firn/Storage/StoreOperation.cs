namespace Firn.Storage;

/// <summary>The operations of the shared store; one request frame carries one of them.</summary>
internal enum StoreOperation : byte
{
    Get = 1,
    Set = 2,
    Delete = 3,
    SetIfAbsent = 4,
    CompareAndSet = 5,
    Increment = 6,
    GetAll = 7,
    Keys = 8,
}

/// <summary>How a store request ended.</summary>
internal enum StoreStatus : byte
{
    /// <summary>Done; the reply's fields hold the result.</summary>
    Ok = 0,

    /// <summary>The key does not exist (or expired).</summary>
    NotFound = 1,

    /// <summary>The stored value's type does not allow the operation; <see cref="StoreReply.Text"/> says why.</summary>
    TypeMismatch = 2,

    /// <summary>The operation failed (limit reached, bad request); <see cref="StoreReply.Text"/> says why.</summary>
    Error = 3,
}

/// <summary>One store request. Fields an operation does not use stay empty.</summary>
internal sealed record StoreRequest(StoreOperation Operation, string Key)
{
    public string TypeName { get; init; } = string.Empty;

    public byte[] Payload { get; init; } = [];

    public byte[] Expected { get; init; } = [];

    /// <summary>Time to live in milliseconds; 0 for none.</summary>
    public long TimeToLiveMs { get; init; }

    public long Delta { get; init; }
}

/// <summary>One stored value as a reply carries it.</summary>
internal readonly record struct StoreItem(string Key, string TypeName, byte[] Payload);

/// <summary>The answer to a <see cref="StoreRequest"/>.</summary>
internal sealed record StoreReply(StoreStatus Status)
{
    public static readonly StoreReply NotFound = new(StoreStatus.NotFound);
    public static readonly StoreReply True = new(StoreStatus.Ok) { Flag = true };
    public static readonly StoreReply False = new(StoreStatus.Ok) { Flag = false };

    /// <summary>The boolean result (Delete, SetIfAbsent, CompareAndSet).</summary>
    public bool Flag { get; init; }

    /// <summary>The numeric result (Increment).</summary>
    public long Number { get; init; }

    /// <summary>The value's type name (Get), or the error message.</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>The value (Get).</summary>
    public byte[] Payload { get; init; } = [];

    /// <summary>The entries (GetAll) or keys with empty values (Keys).</summary>
    public IReadOnlyList<StoreItem> Items { get; init; } = [];

    public static StoreReply Error(string message) => new(StoreStatus.Error) { Text = message };
}

/// <summary>The metric tag values of operations and refusals (constant strings: recording allocates none).</summary>
internal static class StoreOperationNames
{
    private static readonly string[] Operations = ["unknown", "get", "set", "delete", "set_if_absent", "compare_and_set", "increment", "get_all", "keys"];

    public static string Of(StoreOperation operation) => (byte)operation < Operations.Length ? Operations[(byte)operation] : Operations[0];

    public static string Of(StoreStatus status) => status == StoreStatus.TypeMismatch ? "type_mismatch" : "error";
}
