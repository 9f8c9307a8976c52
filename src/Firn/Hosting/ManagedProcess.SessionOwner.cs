namespace Firn.Hosting;

/// <content>A managed process owns the sessions of its instances: it hears their Ready and Control frames.</content>
internal sealed partial class ManagedProcess : ISessionOwner
{
}
