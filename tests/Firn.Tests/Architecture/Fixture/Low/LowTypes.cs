namespace Firn.Tests.Architecture.Fixture.Low;

// The bottom layer of the checker's fixture (see DependencyCollectorTests): types the High layer uses in every way
// a dependency can be written, and one use of High that the layering forbids.

internal class LowBase
{
    public virtual int Run() => 0;
}

internal interface ILowContract
{
    int Contract();
}

internal sealed class LowData
{
    public int Value { get; set; }
}

internal sealed class LowItem;

[AttributeUsage(AttributeTargets.All)]
internal sealed class LowAttribute(Type type) : Attribute
{
    public Type Type { get; } = type;
}

internal static class LowUsesHigh
{
    public static int Touch() => High.HighHelper.Value();
}
