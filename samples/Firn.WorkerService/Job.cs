namespace Firn.WorkerService;

/// <summary>A unit of work sent from the producer to the worker.</summary>
/// <param name="Id">The job's number, from 1.</param>
/// <param name="Text">What to work on.</param>
public sealed record Job(long Id, string Text)
{
    /// <summary>The channel jobs travel on.</summary>
    public const string Channel = "jobs";

    /// <summary>The shared store's count of jobs done.</summary>
    public const string DoneKey = "jobs.done";
}
