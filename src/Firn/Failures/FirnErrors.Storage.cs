
namespace Firn.Failures;

/// <content>The store and pub/sub.</content>
internal static partial class FirnErrors
{
    public static StoreException StoreFailed(string key, string why) => new($"Store operation on key '{key}' failed: {why}");

    /// <summary>The main process refused an operation with a type mismatch; its message names both types.</summary>
    public static StoreTypeMismatchException StoreTypeMismatch(string messageFromMain) => new(messageFromMain);

    public static StoreTypeMismatchException StoreTypeMismatch(string key, string holds, string readAs) =>
        new($"Key '{key}' holds {holds}; it was read as {readAs}. Read it as {holds} (or object).");

    public static StoreException StoredValueUnreadable(string key, int length, string storedAs, string readAs, Exception cause) =>
        new($"The value of key '{key}' ({length} bytes, stored as {storedAs}) could not be read as {readAs}: {cause.Message} The process that wrote it used another type or sent bytes that are not a value; overwrite or delete the key.", cause);

    public static TimeoutException StoreTimedOut(string operation, string key, TimeSpan timeout) =>
        new($"The main process did not answer the store request {operation} '{key}' within {timeout} (FirnAppOptions.CallTimeout); it may still take effect.");

    /// <summary>The main process refused a subscription (a limit); its message says which.</summary>
    public static StoreException SubscriptionRefused(string messageFromMain) => new(messageFromMain);

    public static TimeoutException SubscriptionTimedOut(string topic, TimeSpan timeout) =>
        new($"The main process did not confirm the subscription to '{topic}' within {timeout} (FirnAppOptions.CallTimeout); it was withdrawn.");
}
