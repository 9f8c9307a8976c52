namespace Firn.Rpc;

/// <summary>
/// RPC across main processes (hosts), behind the main process's <see cref="RpcTable"/>: the table keeps routing the calls
/// of its own processes as before, and hands the engine what it cannot settle alone. <see langword="null"/> (the
/// default) keeps RPC local to the main process; Firn.Redis provides one (docs/redis.md, "RPC").
/// </summary>
/// <remarks>
/// What an implementation must guarantee:
/// <list type="bullet">
/// <item><see cref="ClaimAsync"/> and <see cref="Release"/> take effect in the order they are called (the table calls
/// them under one lock, in the order of its own changes), so a name given back and claimed again ends claimed.</item>
/// <item><see cref="OtherHosts"/> only enqueues: the table calls it from connections' read loops. An invocation handed
/// to it is answered later, through <see cref="RpcTable.Complete"/> (and <see cref="RpcTable.StreamItem"/>) with
/// <see cref="OtherHosts"/> as the owner, including when the method has no owner or its host is dead.</item>
/// <item>Calls that come from another host enter the table through a peer whose <see cref="RpcPeer.IsOtherHost"/> is
/// true; the table never hands those back to the engine (a call crosses hosts once).</item>
/// </list>
/// </remarks>
internal interface IRpcEngine
{
    /// <summary>The peer that stands for every other host: the owner, in this host's table, of the methods no local process has.</summary>
    RpcPeer OtherHosts { get; }

    /// <summary>Called once, when the main process's table is created: where the engine delivers outcomes and calls from other hosts.</summary>
    void Attach(RpcTable table);

    /// <summary>
    /// Claims <paramref name="name"/> for this host, which a local process has just registered; completes with
    /// <see langword="null"/> once claimed, or with why not (another live host owns it, the engine cannot be reached).
    /// </summary>
    Task<string?> ClaimAsync(string name);

    /// <summary>Gives <paramref name="name"/> back (if this host still owns it); only enqueues.</summary>
    void Release(string name);
}
