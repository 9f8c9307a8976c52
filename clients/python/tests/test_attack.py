"""Attacks on the client's documented promises (README "Children in Python", docs/python.md, docs/PROTOCOL.md) against a
stand-in main process over a real Unix socket: each test names the promise it checks."""

import asyncio

import pytest

import firn
from firn import types, wire

from fake_main import connected, run


async def expect(main, kind, **options):
    return await asyncio.to_thread(main.expect, kind, **options)


async def opened(client, main, name, type_name=types.OBJECT):
    opening = asyncio.ensure_future(client.get_channel(name, type_name))
    request = await expect(main, wire.FrameKind.OPEN_CHANNEL)
    main.send(wire.FrameKind.CHANNEL_OPENED, {"request_id": request["request_id"], "status": 0, "channel_id": 7, "closed": False})
    return await opening


async def registered(client, main, method, handler):
    registering = asyncio.ensure_future(client.rpc.register(method, handler))
    request = await expect(main, wire.FrameKind.RPC_REGISTER)
    main.send(wire.FrameKind.RPC_REGISTERED, {"request_id": request["request_id"], "status": 0, "error": ""})
    await registering


def test_a_second_registration_of_a_method_in_the_same_process_is_refused_and_the_first_keeps_serving(main):
    # docs/python.md: a name belongs to one process; RpcError for "a name taken". The main process refuses a second
    # registration of a name this process holds: that refusal must not take away the first handler.
    async def scenario():
        client = await connected(main)
        await registered(client, main, "m", lambda: "first")
        second = asyncio.ensure_future(client.rpc.register("m", lambda: "second"))
        done, _ = await asyncio.wait({second}, timeout=0.5)
        if not done:  # the unfixed client asks the main process, which refuses (the name is this process's)
            request = await expect(main, wire.FrameKind.RPC_REGISTER)
            main.send(wire.FrameKind.RPC_REGISTERED, {"request_id": request["request_id"], "status": 1, "error": "Method 'm' is already registered by process 'py'"})
        with pytest.raises(firn.RpcError, match="already registered"):
            await second
        main.send(wire.FrameKind.RPC_INVOKE, {"invocation_id": 9, "flags": 0, "credit": 0, "method": "m", "caller": "main", "arguments": []})
        assert (await expect(main, wire.FrameKind.RPC_RESULT)) == {"id": 9, "status": 0, "result": types.pack("first")}
        await client.close()

    run(scenario())


def test_a_sender_cancelled_after_a_credit_woke_it_passes_the_credit_on(main):
    # docs/python.md: send waits for a credit; a cancelled send must not keep the next sender waiting for a credit that
    # is there (asyncio cancellation of one send, another send waiting behind it).
    async def scenario():
        client = await connected(main, send_window=1)
        channel = client.active_channel
        await channel.send("a")
        assert (await expect(main, wire.FrameKind.SEND))["payload"] == types.pack("a")
        first = asyncio.ensure_future(channel.send("b"))
        second = asyncio.ensure_future(channel.send("c"))
        while len(channel._credit_waiters) < 2:
            await asyncio.sleep(0.01)
        granted = asyncio.Event()

        def on_credit() -> None:
            channel._add_credits(1)  # what a SendCredit frame does, on the loop
            first.cancel()  # cancelled after the credit woke it, before it ran
            granted.set()

        client.loop.call_soon(on_credit)
        await granted.wait()
        with pytest.raises(asyncio.CancelledError):
            await first
        await asyncio.wait_for(second, 10)
        assert (await expect(main, wire.FrameKind.SEND))["payload"] == types.pack("c")
        await client.close()

    run(scenario())


def test_a_lone_surrogate_inside_a_record_or_list_is_written_as_u_fffd_and_a_string_message_with_one_is_refused(main):
    # docs/PROTOCOL.md: "a string message with a lone surrogate is refused at send, while MessagePack writes a lone
    # surrogate inside other payloads (a record's property, a list's element) as U+FFFD" (docs/channels.md likewise).
    async def scenario():
        client = await connected(main)
        channel = client.active_channel
        await channel.send({"Text": "a\ud800b", "Items": ["\udfff"]})
        sent = await expect(main, wire.FrameKind.SEND)
        assert types.unpack(sent["payload"]) == {"Text": "a\ufffdb", "Items": ["\ufffd"]}
        with pytest.raises(ValueError, match="lone surrogate"):
            await channel.send("x\ud800")
        assert channel.available_credits == 15  # nothing was sent for it
        await client.close()

    run(scenario())


def test_a_name_with_a_lone_surrogate_is_refused_at_the_api_and_leaves_no_request_behind(main):
    # docs/PROTOCOL.md: "names with one are refused at the API".
    async def scenario():
        client = await connected(main)
        for attempt in (client.get_channel("c\ud800"), client.rpc.register("m\ud800", lambda: 1), client.rpc.call("m\ud800"),
                        client.shared_memory.get("k\ud800"), client.shared_memory.subscribe("t\ud800", lambda data: None),
                        client.shared_memory.publish("t\ud800", 1), client.events.publish("e\ud800")):
            with pytest.raises(ValueError, match="lone surrogate"):
                await attempt
        assert client._pending == {} and client.shared_memory._subscriptions == {}
        await client.close()

    run(scenario())


def test_an_increment_by_more_than_64_bits_or_a_time_to_live_out_of_range_is_refused_with_a_clear_error(main):
    # docs/python.md: incr works on System.Int64 values and ttl= is in seconds; a value that has no 64-bit form gives a
    # ValueError that says so (as the C# API's long and TimeSpan cannot hold it), and leaves no request behind.
    async def scenario():
        client = await connected(main)
        with pytest.raises(ValueError, match="64-bit"):
            await client.shared_memory.incr("k", 1 << 63)
        for ttl in (float("inf"), float("nan"), 1e300, 0, -1):
            with pytest.raises(ValueError, match="time to live"):
                await client.shared_memory.set("k", 1, ttl=ttl)
        assert client._pending == {}
        await client.close()

    run(scenario())


@pytest.mark.parametrize("closed_by", ["this process", "the main process"])
def test_a_send_waiting_for_the_byte_budget_fails_with_channel_closed_when_the_channel_closes(main, closed_by):
    # docs/python.md: send "waits for a credit and for room in the pending-bytes budget"; ChannelClosedError once the
    # channel is closed. A send that waited for the budget used to go out on the closed channel, where the main process
    # discards it (nothing silently dropped: the sender must hear of it) and never reports its bytes as gone.
    async def scenario():
        client = await connected(main, send_window=100, pending_bytes_limit=100)
        channel = await opened(client, main, "c")
        await channel.send(bytes(60))
        assert (await expect(main, wire.FrameKind.SEND))["payload"] == types.pack(bytes(60))
        waiting = asyncio.ensure_future(channel.send(bytes(60)))
        while not client.budget._waiters:
            await asyncio.sleep(0.01)
        if closed_by == "this process":
            await channel.close()
            assert (await expect(main, wire.FrameKind.CLOSE_CHANNEL)) == {"channel_id": channel.id}
        else:
            main.send(wire.FrameKind.CHANNEL_CLOSED, {"channel_id": channel.id})
        with pytest.raises(firn.ChannelClosedError):
            await asyncio.wait_for(waiting, 10)
        assert client.budget.outstanding == wire.HEADER_SIZE + 4 + len(types.pack(bytes(60)))
        main.send(wire.FrameKind.SEND_BYTES, {"reserved": 0, "bytes": client.budget.outstanding})
        await client.shared_memory.publish("t", 1)  # a frame after which a stray Send would have come
        assert (await expect(main, wire.FrameKind.PUBLISH))["topic"] == "t"
        # The client reads SendBytes on its own reader task, which need not have run yet when the publication went out.
        deadline = asyncio.get_running_loop().time() + 10
        while client.budget.outstanding != 0 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)
        assert client.budget.outstanding == 0
        await client.close()

    run(scenario())


def test_arguments_that_do_not_fit_a_python_handler_are_answered_with_invalid_arguments_not_a_remote_error(main):
    # docs/PROTOCOL.md, RPC status 4: "the arguments do not fit the handler" (a C# caller gets RpcException naming the
    # method, as for a C# handler); a TypeError the handler itself raises stays a remote error.
    async def scenario():
        client = await connected(main)

        def inner_type_error(x):
            raise TypeError("from inside")

        await registered(client, main, "one", lambda x: 2 * x)
        await registered(client, main, "inner", inner_type_error)

        async def add(a, b):
            return a + b

        await registered(client, main, "add", add)
        for invocation, method, arguments in ((1, "one", [1, 2]), (2, "add", [1]), (3, "inner", [1]), (4, "one", [21])):
            main.send(wire.FrameKind.RPC_INVOKE, {"invocation_id": invocation, "flags": 0, "credit": 0, "method": method, "caller": "main",
                                                 "arguments": [types.pack(a) for a in arguments]})
        results = {}
        while len(results) < 4:
            result = await expect(main, wire.FrameKind.RPC_RESULT)
            results[result["id"]] = result
        for invocation, method in ((1, "one"), (2, "add")):
            assert results[invocation]["status"] == wire.RpcStatus.INVALID_ARGUMENTS
            assert method in results[invocation]["error"]["message"]
        assert results[3]["status"] == wire.RpcStatus.REMOTE_ERROR and results[3]["error"]["type_name"] == "TypeError"
        assert results[4] == {"id": 4, "status": 0, "result": types.pack(42)}
        await client.close()

    run(scenario())


def test_a_key_or_topic_over_1024_utf16_characters_is_refused_at_the_api_rather_than_closing_the_connection(main):
    # docs/SECURITY.md: keys and topics have at most 1,024 characters (UTF-16, as C# counts them: the main process
    # closes the connection of a child that sends a longer key or publishes to a longer topic). 600 emoji are 600 Python
    # characters and 1,200 UTF-16 ones; 1,024 BMP characters are fine.
    async def scenario():
        client = await connected(main)
        long_key = "\U0001F600" * 600
        for attempt in (client.shared_memory.set(long_key, 1), client.shared_memory.get(long_key), client.shared_memory.incr(long_key),
                        client.shared_memory.publish(long_key, 1), client.shared_memory.subscribe(long_key, lambda data: None),
                        client.events.publish("e" * 1020), client.events.subscribe(long_key, lambda event: None)):
            with pytest.raises(ValueError, match="1 to 1024"):
                await attempt
        setting = asyncio.ensure_future(client.shared_memory.set("\u00e9" * 1024, 1))
        request = await expect(main, wire.FrameKind.STORE_REQUEST)
        assert request["key"] == "\u00e9" * 1024
        main.send(wire.FrameKind.STORE_REPLY, {"request_id": request["request_id"], "status": 0, "flag": False, "number": 0, "text": "", "items": [], "payload": b""})
        await setting
        await client.close()

    run(scenario())


def test_a_method_name_follows_the_csharp_rule_at_the_api_256_utf16_characters_and_no_control_character(main):
    # C#'s RpcNames: 1 to 256 characters as UTF-16 counts them, no control character; the main process refuses others.
    # 128 emoji are 256 UTF-16 characters (fine), 129 are 258; a refusal sends nothing.
    async def scenario():
        client = await connected(main)
        for name in ("", "m" * 257, "\U0001F600" * 129, "a\nb", "a\x7fb", "a\x85b"):
            with pytest.raises(ValueError):
                await client.rpc.register(name, lambda: 1)
            with pytest.raises(ValueError):
                await client.rpc.call(name)
        with pytest.raises(TypeError):
            await client.rpc.call(7)

        # The first frames the main process sees are these: nothing went out for the refused names.
        registering = asyncio.ensure_future(client.rpc.register("m" * 256, lambda: 1))
        request = await expect(main, wire.FrameKind.RPC_REGISTER)
        assert request["method"] == "m" * 256
        main.send(wire.FrameKind.RPC_REGISTERED, {"request_id": request["request_id"], "status": 0, "error": ""})
        await registering
        calling = asyncio.ensure_future(client.rpc.call("\U0001F600" * 128))
        call = await expect(main, wire.FrameKind.RPC_CALL)
        assert call["method"] == "\U0001F600" * 128
        main.send(wire.FrameKind.RPC_REPLY, {"id": call["call_id"], "status": 0, "result": types.pack(1)})
        assert await calling == 1
        await client.close()

    run(scenario())


def test_a_handler_that_raises_cancelled_error_is_logged_and_the_next_message_and_publication_still_come(main):
    # docs/python.md: "A handler that raises is logged and the next message comes", and a message is acknowledged after
    # every handler ran for it. A handler that awaits something cancelled raises asyncio.CancelledError: that must not
    # end the channel's (or the subscription's) dispatching for good, leaving messages unacknowledged.
    async def scenario():
        client = await connected(main)
        seen = []

        async def handler(message):
            if message == "cancelled":
                cancelled = client.loop.create_future()
                cancelled.cancel()
                await cancelled  # raises CancelledError in the handler
            seen.append(message)

        client.passive_channel.add_handler(handler)
        await expect(main, wire.FrameKind.ATTACH)
        for message in ("cancelled", "after"):
            main.send(wire.FrameKind.DELIVER, {"channel_id": 2, "payload": types.pack(message)})
        acknowledged = 0
        while acknowledged < 2:
            acknowledged += (await expect(main, wire.FrameKind.ACK, skip=(wire.FrameKind.PONG,), timeout=10))["count"]
        assert seen == ["after"]

        subscribing = asyncio.ensure_future(client.shared_memory.subscribe("t", handler))
        request = await expect(main, wire.FrameKind.SUBSCRIBE)
        main.send(wire.FrameKind.SUBSCRIBE_REPLY, {"request_id": request["request_id"], "status": 0, "error": ""})
        await subscribing
        for data in ("cancelled", "later"):
            main.send(wire.FrameKind.PUBLICATION, {"topic": "t", "type_name": types.STRING, "payload": types.pack(data)})
        async with asyncio.timeout(10):
            while seen != ["after", "later"]:
                await asyncio.sleep(0.01)
        await client.close()

    run(scenario())


def test_an_int_past_the_int64_range_is_stored_as_uint64_which_csharp_reads():
    # docs/python.md: set infers the type name from the Python value, and Get<T> in C# refuses another type with
    # StoreTypeMismatchException. An int of 2**63 or more is written as MessagePack uint64, which C# reads as ulong
    # only: named System.Int64 it would be a long that does not read (and Increment would take it for one).
    assert types.type_name_of((1 << 63) - 1) == types.INT64
    assert types.type_name_of(-(1 << 63)) == types.INT64
    assert types.type_name_of(1 << 63) == types.UINT64 == "System.UInt64"
    assert types.type_name_of((1 << 64) - 1) == types.UINT64


def test_a_registration_given_up_on_does_not_keep_the_name_when_the_main_process_accepts_it_late(main):
    # docs/python.md: register claims the name; a registration that raised (cancelled, timed out) must not leave the
    # name held by this process without a handler (calls would get "No handler", other processes could not take it,
    # and this process could never register it again).
    async def scenario():
        client = await connected(main)
        first = asyncio.ensure_future(client.rpc.register("m", lambda: "first"))
        request = await expect(main, wire.FrameKind.RPC_REGISTER)
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        second = asyncio.ensure_future(client.rpc.register("m", lambda: "second"))
        await asyncio.sleep(0)
        main.send(wire.FrameKind.RPC_REGISTERED, {"request_id": request["request_id"], "status": 0, "error": ""})
        assert (await expect(main, wire.FrameKind.RPC_UNREGISTER)) == {"method": "m"}
        request = await expect(main, wire.FrameKind.RPC_REGISTER)
        main.send(wire.FrameKind.RPC_REGISTERED, {"request_id": request["request_id"], "status": 0, "error": ""})
        await second
        main.send(wire.FrameKind.RPC_INVOKE, {"invocation_id": 3, "flags": 0, "credit": 0, "method": "m", "caller": "main", "arguments": []})
        assert (await expect(main, wire.FrameKind.RPC_RESULT)) == {"id": 3, "status": 0, "result": types.pack("second")}
        await client.close()

    run(scenario())


def test_a_dataclass_is_written_as_the_map_of_its_fields_only():
    # docs/python.md: "a dataclass with the same field names is sent the same way (firn.types.pack writes dataclasses
    # as maps)"; "a map with other keys does not read as the record in C#". A ClassVar or an InitVar is no field.
    import dataclasses
    from typing import ClassVar

    @dataclasses.dataclass
    class Reply:
        KIND: ClassVar[str] = "reply"
        Text: str
        Count: int
        scale: dataclasses.InitVar[int] = 1

        def __post_init__(self, scale):
            self.Count *= scale

    assert types.pack(Reply("pong", 3, 2)) == types.pack({"Text": "pong", "Count": 6})


def test_async_for_over_a_channel_ends_when_the_child_is_asked_to_stop(main):
    # README "Children in Python": its example loops `async for data in client.active_channel` and exits "as a C#
    # child" does; a C# child's loop takes context.Stopping. Without ending on Stop the example never returned, and the
    # main process killed it at every stop after its shutdown timeout (exit reason Killed rather than Stopped).
    async def scenario():
        client = await connected(main)
        seen = []

        async def loop():
            async for data in client.active_channel:
                seen.append(data)

        looping = asyncio.ensure_future(loop())
        await expect(main, wire.FrameKind.ATTACH)
        main.send(wire.FrameKind.DELIVER, {"channel_id": 1, "payload": types.pack("a")})
        assert (await expect(main, wire.FrameKind.ACK, skip=(wire.FrameKind.PONG,))) == {"channel_id": 1, "count": 1}
        main.send(wire.FrameKind.STOP)
        await asyncio.wait_for(looping, 10)
        assert seen == ["a"] and client.stopping.is_set()
        await client.close()

    run(scenario())
