namespace Firn.Cluster;

/// <summary>One unit of work on the queue: which host produced it, and its number there.</summary>
/// <param name="From">The producing host's main process name.</param>
/// <param name="Number">Its number, from 1, on that host.</param>
public sealed record Job(string From, int Number);
