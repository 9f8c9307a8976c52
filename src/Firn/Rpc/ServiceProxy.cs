using System.Reflection;

namespace Firn.Rpc;

/// <summary>The object <see cref="RpcEndpoint.GetService{TService}(string?, TimeSpan?)"/> returns: each interface call becomes a remote call.</summary>
#pragma warning disable CA1852 // DispatchProxy derives a type from this class at run time, so it cannot be sealed.
internal class ServiceProxy : DispatchProxy
#pragma warning restore CA1852
{
    private RpcEndpoint? _endpoint;
    private ServiceContract? _contract;
    private string _serviceName = string.Empty;
    private TimeSpan _timeout;

    public void Initialize(RpcEndpoint endpoint, ServiceContract contract, string serviceName, TimeSpan timeout)
    {
        _endpoint = endpoint;
        _contract = contract;
        _serviceName = serviceName;
        _timeout = timeout;
    }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        var method = _contract!.Find(targetMethod);
        return method.Call(_endpoint!, _serviceName + "." + method.Name, args ?? [], _timeout);
    }
}
