namespace Firn.Redis.Channels;

/// <summary>
/// The channel engine's Lua scripts. Each runs atomically on the server, so a sender's count of unacknowledged entries
/// (a field of the channel's senders hash) always matches the entries of the stream that are not acknowledged yet.
/// Entries carry <c>h</c> (the sending host), <c>n</c> (the sending process) and <c>d</c> (the message).
/// </summary>
internal static class RedisChannelScripts
{
    /// <summary>
    /// Fixes the channel's type at its first use and makes its consumer group; returns <c>[type, closed]</c>, or nil
    /// when the channel does not exist and ARGV[2] is not 1.
    /// KEYS: type, stream, closed. ARGV: type name, create (1/0), group.
    /// </summary>
    public const string Declare = """
        local t = redis.call('GET', KEYS[1])
        if not t then
          if ARGV[2] ~= '1' then return false end
          redis.call('SET', KEYS[1], ARGV[1])
          t = ARGV[1]
        end
        local closed = redis.call('EXISTS', KEYS[3])
        if closed == 0 then
          redis.pcall('XGROUP', 'CREATE', KEYS[2], ARGV[3], '0', 'MKSTREAM')
        end
        return {t, closed}
        """;

    /// <summary>
    /// Appends one sender's messages in order while its count of unacknowledged entries is under its window (never
    /// trimming anything), rings the channel's doorbell, and returns the ids of those it appended (none once closed).
    /// KEYS: stream, senders hash, closed. ARGV: window, host, process, doorbell channel, messages...
    /// </summary>
    public const string Append = """
        if redis.call('EXISTS', KEYS[3]) == 1 then return {} end
        local field = ARGV[2] .. '/' .. ARGV[3]
        local n = tonumber(redis.call('HGET', KEYS[2], field) or '0')
        local window = tonumber(ARGV[1])
        local ids = {}
        for i = 5, #ARGV do
          if n >= window then break end
          ids[#ids + 1] = redis.call('XADD', KEYS[1], '*', 'h', ARGV[2], 'n', ARGV[3], 'd', ARGV[i])
          n = n + 1
        end
        if #ids > 0 then
          redis.call('HSET', KEYS[2], field, n)
          redis.call('PUBLISH', ARGV[4], '')
        end
        return ids
        """;

    /// <summary>
    /// Acknowledges consumed entries: XACK, XDEL (an acknowledged entry is of no more use; an unacknowledged one is never
    /// removed), one less unacknowledged for its sender, and one notice per sending host on <c>ARGV[2] .. host</c>:
    /// the channel's name and the ids, one a line. An id already gone (acknowledged by another host after a claim) is skipped.
    /// KEYS: stream, senders hash. ARGV: group, notice channel prefix, channel name, ids...
    /// </summary>
    public const string Ack = """
        local notices = {}
        for i = 4, #ARGV do
          local id = ARGV[i]
          local found = redis.call('XRANGE', KEYS[1], id, id)
          if #found > 0 then
            local fields = found[1][2]
            local host, process
            for j = 1, #fields, 2 do
              if fields[j] == 'h' then host = fields[j + 1] elseif fields[j] == 'n' then process = fields[j + 1] end
            end
            redis.call('XACK', KEYS[1], ARGV[1], id)
            redis.call('XDEL', KEYS[1], id)
            if host and process then
              local field = host .. '/' .. process
              if redis.call('HINCRBY', KEYS[2], field, -1) <= 0 then redis.call('HDEL', KEYS[2], field) end
              notices[host] = (notices[host] or ARGV[3]) .. '\n' .. id
            end
          else
            redis.call('XACK', KEYS[1], ARGV[1], id)
          end
        end
        for host, notice in pairs(notices) do
          redis.call('PUBLISH', ARGV[2] .. host, notice)
        end
        return 0
        """;

    /// <summary>Returns those of the ids that are no longer in the stream (acknowledged). KEYS: stream. ARGV: ids...</summary>
    public const string Gone = """
        local gone = {}
        for i = 1, #ARGV do
          if #redis.call('XRANGE', KEYS[1], ARGV[i], ARGV[i]) == 0 then gone[#gone + 1] = ARGV[i] end
        end
        return gone
        """;

    /// <summary>
    /// Ends a closed channel (its closed mark set, what was unread taken by the closing host): deletes the stream and the
    /// senders' counts, and rings the doorbell with <c>closed</c>. KEYS: stream, senders hash. ARGV: doorbell channel.
    /// </summary>
    public const string Close = """
        redis.call('DEL', KEYS[1], KEYS[2])
        redis.call('PUBLISH', ARGV[1], 'closed')
        return 0
        """;
}
