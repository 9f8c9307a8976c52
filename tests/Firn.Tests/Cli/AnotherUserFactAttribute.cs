namespace Firn.Tests.Cli;

/// <summary>A test that runs firnctl as another user (uid 65534, through setpriv): skipped, with the reason, unless root with setpriv.</summary>
internal sealed class AnotherUserFactAttribute : FactAttribute
{
    public AnotherUserFactAttribute()
    {
        if (Environment.UserName != "root")
        {
            Skip = "Only root can run firnctl as another user (setpriv --reuid 65534) here.";
        }
        else if (!File.Exists("/usr/bin/setpriv"))
        {
            Skip = "setpriv (util-linux) is not installed.";
        }
    }
}
