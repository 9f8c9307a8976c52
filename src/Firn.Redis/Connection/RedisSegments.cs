namespace Firn.Redis.Connection;

/// <summary>
/// What Firn puts after <c>{prefix}:</c> in the names of its keys and channels: the one list the names are built from
/// and a prefix is checked against (<see cref="FirnRedisOptions.Prefix"/>: a prefix with one of these after a colon
/// would share keys with the prefix before it).
/// </summary>
internal static class RedisSegments
{
    public const string Store = "store";
    public const string PubSub = "pubsub";
    public const string Host = "host";
    public const string Hosts = "hosts";
    public const string Procs = "procs";
    public const string Channel = "chan";
    public const string ChannelType = "chan-type";
    public const string ChannelSenders = "chan-senders";
    public const string ChannelClosed = "chan-closed";
    public const string ChannelBell = "chan-bell";
    public const string ChannelAcked = "chan-acked";
    public const string Rpc = "rpc";

    /// <summary>Every segment above.</summary>
    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Store, PubSub, Host, Hosts, Procs, Channel, ChannelType, ChannelSenders, ChannelClosed, ChannelBell, ChannelAcked, Rpc,
    };
}
