namespace Firn.Tests.Architecture.Fixture;

internal static class Top
{
    public static int Use() => new High.HighThing().Run();
}
