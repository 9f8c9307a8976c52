using System.Text.Json;
using Firn.Storage;

namespace Firn.Admin;

/// <content>The shared store (its raw bytes and type names, shown as JSON) and pub/sub.</content>
internal sealed partial class AdminDispatcher
{
    private const string ObjectTypeName = "System.Object";

    private async Task<AdminResult> StoreGetAsync(AdminRequest request, CancellationToken cancellationToken)
    {
        var key = request.RequireKey("key");
        var reply = await StoreAsync(new StoreRequest(StoreOperation.Get, key), cancellationToken).ConfigureAwait(false);
        if (reply.Status == StoreStatus.NotFound)
        {
            return new AdminResult(w =>
            {
                w.WriteStartObject();
                w.WriteBoolean("found", false);
                w.WriteNull("type");
                w.WriteNull("value");
                w.WriteEndObject();
            });
        }

        return new AdminResult(w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("found", true);
            w.WriteString("type", reply.Text);
            w.WritePropertyName("value");
            MessagePackJson.Write(w, reply.Payload);
            w.WriteEndObject();
        });
    }

    private async Task<AdminResult> StoreKeysAsync(AdminRequest request, CancellationToken cancellationToken)
    {
        var pattern = new TopicPattern(request.OptionalKey("pattern") ?? "*");
        var keys = (await StoreAsync(new StoreRequest(StoreOperation.Keys, string.Empty), cancellationToken).ConfigureAwait(false)).Items
            .Select(i => i.Key)
            .Where(pattern.Matches)
            .Order(StringComparer.Ordinal)
            .ToList();
        return new AdminResult(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("keys");
            foreach (var key in keys)
            {
                w.WriteStringValue(key);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private async Task<AdminResult> StoreSetAsync(AdminRequest request, AdminClient client, CancellationToken cancellationToken)
    {
        var key = request.RequireKey("key");
        var value = request.RequireValue("value");
        var ttl = request.OptionalSeconds("ttl");
        if (value.ValueKind == JsonValueKind.Number && !value.TryGetInt64(out _))
        {
            MessagePackJson.RequireIntegerInRange(value);
        }

        var typeName = value.ValueKind switch
        {
            JsonValueKind.String => "System.String",
            JsonValueKind.Number => value.TryGetInt64(out _) ? "System.Int64" : "System.Double",
            JsonValueKind.True or JsonValueKind.False => "System.Boolean",
            _ => ObjectTypeName,
        };
        var payload = value.ValueKind == JsonValueKind.Number && typeName == "System.Double"
            ? MessagePackJson.DoubleBytes(MessagePackJson.FiniteDouble(value))
            : MessagePackJson.FromJson(value);
        Audit(client, $"store set {AdminText.Quote(key)} ({typeName})");
        await StoreAsync(
            new StoreRequest(StoreOperation.Set, key)
            {
                TypeName = typeName,
                Payload = payload,
                TimeToLiveMs = ttl is { } t ? Math.Max(1, (long)t.TotalMilliseconds) : 0,
            },
            cancellationToken).ConfigureAwait(false);
        return AdminResult.Empty;
    }

    private async Task<AdminResult> StoreDeleteAsync(AdminRequest request, AdminClient client, CancellationToken cancellationToken)
    {
        var key = request.RequireKey("key");
        Audit(client, $"store del {AdminText.Quote(key)}");
        var deleted = (await StoreAsync(new StoreRequest(StoreOperation.Delete, key), cancellationToken).ConfigureAwait(false)).Flag;
        return new AdminResult(w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("deleted", deleted);
            w.WriteEndObject();
        });
    }

    private async Task<AdminResult> SubscribeAsync(AdminRequest request, CancellationToken cancellationToken)
    {
        var pattern = request.RequireKey("pattern");
        var publications = System.Threading.Channels.Channel.CreateBounded<Publication>(new System.Threading.Channels.BoundedChannelOptions(AdminLogRing.FollowerBuffer)
        {
            FullMode = System.Threading.Channels.BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        Subscription subscription;
        try
        {
            // As object: a subscription of any other type skips publications of other type names; this one takes all.
            subscription = await app.SharedMemory.SubscribeAsync<object>(
                pattern,
                (_, publication) =>
                {
                    publications.Writer.TryWrite((Publication)publication);
                    return Task.CompletedTask;
                },
                static publication => publication,
                null,
                cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            throw AdminException.BadRequest(ex.Message);
        }

        return new AdminResult(AdminResult.Empty.WriteResult)
        {
            Stream = async (sink, token) =>
            {
                using (subscription)
                {
                    await foreach (var publication in publications.Reader.ReadAllAsync(token).ConfigureAwait(false))
                    {
                        await sink.SendAsync(
                            w =>
                            {
                                w.WriteStartObject();
                                w.WriteString("topic", publication.Topic);
                                w.WriteString("type", publication.TypeName);
                                w.WritePropertyName("value");
                                MessagePackJson.Write(w, publication.Payload);
                                w.WriteEndObject();
                            },
                            token).ConfigureAwait(false);
                    }
                }
            },
        };
    }

    private async Task<StoreReply> StoreAsync(StoreRequest request, CancellationToken cancellationToken)
    {
        var reply = await app.Main.Store.ExecuteAsync(request, cancellationToken).ConfigureAwait(false);
        return reply.Status is StoreStatus.Error or StoreStatus.TypeMismatch
            ? throw new AdminException(AdminErrors.Failed, reply.Text)
            : reply;
    }
}
