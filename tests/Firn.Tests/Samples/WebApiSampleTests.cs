using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Firn.Tests.Hosting;
using Firn.Tests.Support;

namespace Firn.Tests.Samples;

/// <summary>samples/Firn.WebApi as a real process: HTTP requests served by an RPC call into its child, and /health.</summary>
public sealed class WebApiSampleTests
{
    [Fact]
    public async Task An_endpoint_answers_through_the_child_and_health_reports_the_child()
    {
        await using var sample = Sample.Start("Firn.WebApi", "--urls", "http://127.0.0.1:0");
        var listening = await sample.WaitForLineAsync(l => l.Contains("Now listening on: http://127.0.0.1:", StringComparison.Ordinal), "Kestrel listens");
        using var http = new HttpClient
        {
            BaseAddress = new Uri(listening[listening.IndexOf("http://", StringComparison.Ordinal)..].Trim()),
            Timeout = TestApps.Timeout,
        };

        // The child counts as running only once its methods are registered; until then /health is not Healthy.
        JsonElement health = default;
        await TestApps.UntilAsync(
            () =>
            {
                using var response = http.GetAsync("/health").GetAwaiter().GetResult();
                health = JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult()).RootElement.Clone();
                return response.StatusCode == HttpStatusCode.OK && health.GetProperty("status").GetString() == "Healthy";
            },
            "/health reports Healthy");
        var calculator = health.GetProperty("checks").GetProperty("firn:calculator");
        Assert.Equal("Healthy", calculator.GetProperty("status").GetString());
        var pid = calculator.GetProperty("data").GetProperty("pid").GetInt32();
        Assert.Contains(pid, sample.LiveChildren());

        var sum = await http.GetFromJsonAsync<JsonElement>("/add?a=2&b=40");
        Assert.Equal(42, sum.GetProperty("result").GetInt64());

        using var divided = await http.GetAsync("/divide?a=1&b=0");
        Assert.Equal(HttpStatusCode.BadRequest, divided.StatusCode);
        Assert.Contains("DivideByZeroException", await divided.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A bad request did not hurt the child: the next call is answered by the same process.
        var again = await http.GetFromJsonAsync<JsonElement>("/add?a=-5&b=5");
        Assert.Equal(0, again.GetProperty("result").GetInt64());

        Assert.Equal(0, await sample.TerminateAsync());
        await TestApps.UntilAsync(() => !SupervisedApps.IsAlive(pid), "the child has exited with the host");
    }
}
