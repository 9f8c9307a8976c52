using System.Text;
using StackExchange.Redis;

namespace Firn.Redis.Connection;

/// <summary>
/// The names of an application's keys and channels on the server: <c>{prefix}:store:{key}</c> and
/// <c>{prefix}:pubsub:{topic}</c>, the hosts' liveness keys, and the glob patterns that match them (SCAN's MATCH, PSUBSCRIBE).
/// </summary>
internal sealed class RedisNames(string prefix)
{
    private readonly string _store = $"{prefix}:{RedisSegments.Store}:";
    private readonly string _pubSub = $"{prefix}:{RedisSegments.PubSub}:";

    public RedisKey StoreKey(string key) => _store + key;

    /// <summary>The set of the application's host names (main processes), alive or not yet pruned.</summary>
    public RedisKey Hosts { get; } = $"{prefix}:{RedisSegments.Hosts}";

    /// <summary>A host's liveness key: its instance id, expiring unless renewed.</summary>
    public RedisKey HostKey(string hostName) => $"{prefix}:{RedisSegments.Host}:{hostName}";

    /// <summary>A host's entry in the process registry: a hash of its children and channels, expiring with its liveness.</summary>
    public RedisKey ProcsKey(string hostName) => $"{prefix}:{RedisSegments.Procs}:{hostName}";

    /// <summary>The pub/sub channel on which a host announces that its registry entry changed or went away (the message is its name).</summary>
    public RedisChannel ProcsChanged { get; } = RedisChannel.Literal($"{prefix}:{RedisSegments.Procs}");

    /// <summary>The prefix every other name starts with, for engines that name their own keys (<c>{prefix}:{what}:...</c>).</summary>
    public string Prefix => prefix;

    public string KeyOf(RedisKey storeKey) => ((string)storeKey!)[_store.Length..];

    /// <summary>Matches every store key of the application, whatever the prefix holds.</summary>
    public string EveryStoreKey => EscapeGlob(_store, keepWildcards: false) + "*";

    public RedisChannel Channel(string topic) => RedisChannel.Literal(_pubSub + topic);

    /// <summary>
    /// A Firn pattern as a Redis pattern: <c>*</c> stays a wildcard; whatever else Redis would read as glob syntax is
    /// escaped. Firn's <c>?</c> is one character (UTF-16 unit) but Redis's is one byte, which misses a non-ASCII
    /// character: it becomes <c>*</c>, a superset the subscriber filters with Firn's own match (<see cref="Firn.Storage.TopicPattern"/>).
    /// </summary>
    public RedisChannel ChannelPattern(string pattern) => RedisChannel.Pattern(EscapeGlob(_pubSub, keepWildcards: false) + EscapeGlob(pattern, keepWildcards: true).Replace('?', '*'));

    public string TopicOf(RedisChannel channel) => ((string)channel!)[_pubSub.Length..];

    /// <summary>Escapes Redis's glob metacharacters (<c>[</c>, <c>]</c>, <c>\</c>, and <c>*</c>, <c>?</c> unless they are Firn's wildcards).</summary>
    public static string EscapeGlob(string text, bool keepWildcards)
    {
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c is '[' or ']' or '\\' || (!keepWildcards && c is '*' or '?'))
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }
}
