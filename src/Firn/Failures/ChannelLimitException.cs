namespace Firn.Failures;

/// <summary>A child process reached the number of channels it may create (<see cref="FirnAppOptions.MaxChannelsPerProcess"/>).</summary>
internal sealed class ChannelLimitException(string message) : FirnException(message);
