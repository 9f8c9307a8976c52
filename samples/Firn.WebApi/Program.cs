// An ASP.NET Core minimal API whose arithmetic runs in a supervised child process, "calculator". The same program is
// both: the main process serves HTTP on 127.0.0.1 (port 5080 by appsettings.json; --urls overrides it) and calls the child over RPC; the child builds a plain host from
// the same declaration (a child serves no HTTP). GET /add?a=2&b=3, GET /divide?a=1&b=0 (the child's exception comes
// back as a 400), GET /health (one entry per child).
using Firn;
using Firn.WebApi;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

if (FirnApp.RunsAsChild)
{
    var child = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
    child.AddFirn(Declare);
    await child.Build().RunAsync();
    return;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddFirn(Declare);
builder.Services.AddHealthChecks().AddFirnProcesses();

var app = builder.Build();
app.MapGet("/add", (long a, long b, RpcEndpoint rpc, CancellationToken cancellationToken) =>
    Calculate(rpc, Calculator.Add, a, b, cancellationToken));
app.MapGet("/divide", (long a, long b, RpcEndpoint rpc, CancellationToken cancellationToken) =>
    Calculate(rpc, Calculator.Divide, a, b, cancellationToken));
app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthReportWriter.WriteAsync });
await app.RunAsync();

static void Declare(FirnBuilder firn) =>
    firn.AddProcess<Calculator>("calculator", new ProcessOptions { WaitForReadySignal = true });

static async Task<IResult> Calculate(RpcEndpoint rpc, string method, long a, long b, CancellationToken cancellationToken)
{
    try
    {
        var result = await rpc.CallAsync<long>(method, [a, b], cancellationToken);
        return Results.Ok(new { a, b, result });
    }
    catch (RpcRemoteException ex)
    {
        // The child's handler threw: the caller's input was bad, the child is fine.
        return Results.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest);
    }
    catch (FirnException ex)
    {
        // The child is not there to answer (restarting, stopped): try again later.
        return Results.Problem(ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
