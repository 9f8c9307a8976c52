using Xunit.Abstractions;
using Xunit.Sdk;

namespace Firn.Tests.Contracts;

/// <summary>
/// Marks the contract classes of a target that needs redis-server: their tests are skipped, with the reason, where it
/// is not installed (the contract's tests are declared once, on the base class, for every target).
/// </summary>
public interface IRedisContract;

/// <summary>A contract fact: skipped where its class's target cannot run (see <see cref="IRedisContract"/>).</summary>
[XunitTestCaseDiscoverer("Firn.Tests.Contracts.ContractFactDiscoverer", "Firn.Tests")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ContractFactAttribute : FactAttribute;

/// <summary>A contract theory: skipped where its class's target cannot run (see <see cref="IRedisContract"/>).</summary>
[XunitTestCaseDiscoverer("Firn.Tests.Contracts.ContractTheoryDiscoverer", "Firn.Tests")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class ContractTheoryAttribute : TheoryAttribute;

/// <summary>Why the target of <paramref name="testMethod"/>'s class cannot run here, or <see langword="null"/>.</summary>
internal static class ContractSkip
{
    public static string? Reason(ITestMethod testMethod) =>
        typeof(IRedisContract).IsAssignableFrom(testMethod.TestClass.Class.ToRuntimeType()) ? Redis.RedisServer.Missing : null;

    public static IXunitTestCase Skipped(IMessageSink sink, ITestFrameworkDiscoveryOptions options, ITestMethod testMethod, string reason) =>
        new XunitSkippedDataRowTestCase(sink, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), testMethod, reason);
}

/// <summary>Discovers <see cref="ContractFactAttribute"/>.</summary>
public sealed class ContractFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    private readonly IMessageSink _sink = diagnosticMessageSink;

    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        ContractSkip.Reason(testMethod) is { } reason ? [ContractSkip.Skipped(_sink, discoveryOptions, testMethod, reason)] : base.Discover(discoveryOptions, testMethod, factAttribute);
}

/// <summary>Discovers <see cref="ContractTheoryAttribute"/>.</summary>
public sealed class ContractTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    private readonly IMessageSink _sink = diagnosticMessageSink;

    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute) =>
        ContractSkip.Reason(testMethod) is { } reason ? [ContractSkip.Skipped(_sink, discoveryOptions, testMethod, reason)] : base.Discover(discoveryOptions, testMethod, theoryAttribute);
}
