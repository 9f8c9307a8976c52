using System.Collections.Concurrent;
using System.Reflection;
using Firn.Channels;

namespace Firn.Rpc;

/// <summary>
/// A service interface, checked once: every method must be asynchronous (<see cref="Task"/>, <see cref="Task{TResult}"/>,
/// <see cref="ValueTask"/>, <see cref="ValueTask{TResult}"/> or <see cref="IAsyncEnumerable{T}"/>), non-generic, with
/// value parameters and a unique name; properties and events are not supported. Each method becomes the RPC method
/// <c>{service name}.{method name}</c>.
/// </summary>
internal sealed class ServiceContract
{
    private static readonly ConcurrentDictionary<Type, ServiceContract> Contracts = new();

    private readonly Dictionary<MethodInfo, ServiceMethod> _byInfo;

    private ServiceContract(Type serviceType, List<ServiceMethod> methods)
    {
        ServiceType = serviceType;
        Methods = methods;
        _byInfo = methods.ToDictionary(m => m.Info);
    }

    public Type ServiceType { get; }

    public IReadOnlyList<ServiceMethod> Methods { get; }

    /// <summary>The contract of <paramref name="serviceType"/>; throws <see cref="NotSupportedException"/> listing every problem.</summary>
    public static ServiceContract For(Type serviceType) => Contracts.GetOrAdd(serviceType, Build);

    public ServiceMethod Find(MethodInfo method) =>
        _byInfo.TryGetValue(method, out var found) ? found : throw new NotSupportedException($"{method.Name} is not a method of service {TypeNames.Of(ServiceType)}.");

    private static ServiceContract Build(Type serviceType)
    {
        var name = TypeNames.Of(serviceType);
        if (!serviceType.IsInterface || serviceType.ContainsGenericParameters)
        {
            throw new NotSupportedException($"A service is described by a closed interface; {name} is not one.");
        }

        var interfaces = serviceType.GetInterfaces().Prepend(serviceType).ToArray();
        var problems = new List<string>();
        foreach (var type in interfaces)
        {
            problems.AddRange(type.GetProperties().Select(p => $"property {p.Name} (use methods)"));
            problems.AddRange(type.GetEvents().Select(e => $"event {e.Name} (use pub/sub events)"));
        }

        var methods = new List<ServiceMethod>();
        foreach (var method in interfaces.SelectMany(t => t.GetMethods()).Where(m => !m.IsSpecialName && m.IsAbstract))
        {
            if (methods.Exists(m => m.Name == method.Name))
            {
                problems.Add($"{method.Name} is overloaded (give each method its own name)");
                continue;
            }

            try
            {
                methods.Add(new ServiceMethod(method));
            }
            catch (NotSupportedException ex)
            {
                problems.Add(ex.Message);
            }
        }

        if (problems.Count > 0)
        {
            throw new NotSupportedException($"Service {name} cannot be used over RPC: {string.Join("; ", problems)}.");
        }

        return new ServiceContract(serviceType, methods);
    }
}
