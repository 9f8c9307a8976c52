namespace Firn.Failures;

/// <summary>A shared channel could not be opened because its backend (Redis) could not be reached; the message names it and the reason.</summary>
internal sealed class ChannelBackendException(string message, Exception? innerException) : FirnException(message, innerException);
