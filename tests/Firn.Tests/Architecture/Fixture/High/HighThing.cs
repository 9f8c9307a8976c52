using Firn.Tests.Architecture.Fixture.Low;

namespace Firn.Tests.Architecture.Fixture.High;

[Low(typeof(LowItem))]
internal sealed class HighThing : LowBase, ILowContract
{
    private readonly LowData _data = new();

    public override int Run() => _data.Value;

    public int Contract() => _data.Value;

    public LowKind Kind(int value) => value == _data.Value ? LowKind.First : LowKind.Second;

    public List<LowItem> Items() => new(_data.Value);

    public async Task<int> LaterAsync()
    {
        await Task.Yield();
        var item = new LowItem();
        return item.GetHashCode() + _data.Value;
    }

    public Func<int> Lambda(int value) => () => new LowData { Value = value + _data.Value }.Value;
}

internal static class HighHelper
{
    public static int Value() => 1;
}
