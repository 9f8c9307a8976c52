using System.Buffers;
using System.Text.Json;
using Firn.Rpc;

namespace Firn.Admin;

/// <content>RPC: the registered methods, and calls with JSON arguments (each sent as the MessagePack of its JSON value).</content>
internal sealed partial class AdminDispatcher
{
    private static readonly RpcArguments.ArgumentWriter RawArgument = static (_, destination, value) => destination.Write((byte[])value!);

    private AdminResult RpcList()
    {
        var methods = app.Main.RpcTable.Methods.OrderBy(m => m.Key, StringComparer.Ordinal).ToList();
        return new AdminResult(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("methods");
            foreach (var (name, owner) in methods)
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteString("owner", owner);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private async Task<AdminResult> RpcCallAsync(AdminRequest request, AdminClient client, CancellationToken cancellationToken)
    {
        var method = request.RequireString("method");
        var argsValue = request.OptionalValue("args");
        if (argsValue is { ValueKind: not (JsonValueKind.Array or JsonValueKind.Null) })
        {
            throw AdminException.BadRequest("'args' must be a JSON array");
        }

        object?[] args = argsValue is { ValueKind: JsonValueKind.Array } array
            ? [.. array.EnumerateArray().Select(a => (object?)MessagePackJson.FromJson(a))]
            : [];
        if (args.Length > RpcArguments.MaxCount)
        {
            throw AdminException.BadRequest($"a call passes at most {RpcArguments.MaxCount} arguments");
        }

        var timeout = request.OptionalSeconds("timeout") ?? app.Rpc.DefaultTimeout;
        var writers = Enumerable.Repeat(RawArgument, args.Length).ToArray();
        Audit(client, $"rpc call {AdminText.Quote(method)}");
        ReadOnlyMemory<byte> result;
        try
        {
            result = await app.Rpc.InvokeAsync(method, args, writers, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcMethodNotFoundException ex)
        {
            throw AdminException.NotFound(ex.Message);
        }
        catch (ArgumentException ex)
        {
            // A well-formed request the RPC layer refuses (a method name empty, too long, with control characters).
            throw new AdminException(AdminErrors.Failed, ex.Message);
        }
        catch (TimeoutException ex)
        {
            throw new AdminException(AdminErrors.Timeout, ex.Message);
        }
        catch (FirnException ex)
        {
            throw new AdminException(AdminErrors.Failed, ex.Message);
        }

        return new AdminResult(w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("result");
            MessagePackJson.Write(w, result);
            w.WriteEndObject();
        });
    }
}
