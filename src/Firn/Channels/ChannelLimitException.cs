namespace Firn.Channels;

/// <summary>A child process reached the number of channels it may create.</summary>
internal sealed class ChannelLimitException(string message) : InvalidOperationException(message);
