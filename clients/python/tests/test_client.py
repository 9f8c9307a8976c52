"""The client against a stand-in main process over a real Unix socket: flow control, heartbeats, acknowledgements,
the store, RPC and protocol errors."""

import asyncio
import struct
import time

import pytest

import firn
from firn import types, wire
from firn.errors import DisconnectReason

from fake_main import connected, run


async def expect(main, kind, **options):
    return await asyncio.to_thread(main.expect, kind, **options)


def test_the_built_in_channels_come_from_the_welcome_without_a_round_trip(main):
    async def scenario():
        client = await connected(main)
        assert (client.active_channel.id, client.passive_channel.id) == (1, 2)
        assert client.active_channel.name == "py-active" and client.active_channel.type_name == types.OBJECT
        await client.close()

    run(scenario())


def test_a_sender_waits_for_credits_and_the_main_process_grants_them(main):
    async def scenario():
        client = await connected(main, send_window=2)
        channel = client.active_channel
        await channel.send("a")
        await channel.send("b")
        third = asyncio.ensure_future(channel.send("c"))
        await asyncio.sleep(0.2)
        assert not third.done() and channel.available_credits == 0
        for expected in ("a", "b"):
            sent = await expect(main, wire.FrameKind.SEND)
            assert sent == {"channel_id": 1, "payload": types.pack(expected)}
        main.send(wire.FrameKind.SEND_CREDIT, {"channel_id": 1, "count": 1})
        await third
        assert (await expect(main, wire.FrameKind.SEND))["payload"] == types.pack("c")
        await client.close()

    run(scenario())


def test_a_sender_waits_while_its_bytes_pending_in_the_router_pass_the_limit(main):
    async def scenario():
        client = await connected(main, send_window=100, pending_bytes_limit=100)
        channel = client.active_channel
        await channel.send(bytes(60))  # one message always fits when none waits
        second = asyncio.ensure_future(channel.send(bytes(60)))
        await asyncio.sleep(0.2)
        assert not second.done()
        cost = wire.HEADER_SIZE + 4 + len(types.pack(bytes(60)))
        assert client.budget.outstanding == cost
        main.send(wire.FrameKind.SEND_BYTES, {"reserved": 0, "bytes": cost})
        await second
        await client.close()

    run(scenario())


def test_a_message_larger_than_the_connections_limit_is_refused_at_the_sender(main):
    async def scenario():
        client = await connected(main, max_message_size=1024)
        with pytest.raises(firn.MessageTooLargeError):
            await client.active_channel.send("x" * 2000)
        await client.close()

    run(scenario())


def test_pings_are_answered_while_a_handler_blocks_the_event_loop(main):
    import threading

    async def scenario():
        client = await connected(main)
        blocking = threading.Event()

        @client.passive_channel.on_receive()
        def block(message):
            blocking.set()
            time.sleep(1.5)  # a synchronous handler holding the loop

        def ping_while_blocked():
            main.expect(wire.FrameKind.ATTACH)
            assert blocking.wait(10)
            started = time.monotonic()
            main.send(wire.FrameKind.PING)
            main.expect(wire.FrameKind.PONG, skip=())
            return time.monotonic() - started

        pinging = asyncio.ensure_future(asyncio.to_thread(ping_while_blocked))
        main.send(wire.FrameKind.DELIVER, {"channel_id": 2, "payload": types.pack("x")})
        assert await pinging < 1.0
        await client.close()

    run(scenario())


def test_passive_handlers_run_in_order_with_filters_and_messages_are_acknowledged_after_them(main):
    async def scenario():
        client = await connected(main)
        seen = []

        async def is_text(message):
            return isinstance(message, str)

        @client.passive_channel.on_receive(filter=is_text)
        async def text(message):
            await asyncio.sleep(0.01)
            seen.append(("text", message))

        @client.passive_channel.on_receive(filter=lambda m: isinstance(m, int))
        def number(message):
            seen.append(("number", message))

        attach = await expect(main, wire.FrameKind.ATTACH)
        assert attach == {"channel_id": 2, "window": 4096, "mode": wire.ReceiveMode.PASSIVE}
        for message in ("a", 1, "b", 2.5):
            main.send(wire.FrameKind.DELIVER, {"channel_id": 2, "payload": types.pack(message)})
        acknowledged = 0
        while acknowledged < 4:
            acknowledged += (await expect(main, wire.FrameKind.ACK, skip=(wire.FrameKind.PONG,)))["count"]
        assert acknowledged == 4
        assert seen == [("text", "a"), ("number", 1), ("text", "b")]
        await client.close()

    run(scenario())


def test_active_receive_takes_messages_in_order_and_times_out(main):
    async def scenario():
        client = await connected(main)
        channel = client.active_channel
        with pytest.raises(TimeoutError):
            await channel.receive(timeout=0.1)
        assert (await expect(main, wire.FrameKind.ATTACH))["mode"] == wire.ReceiveMode.ACTIVE
        with pytest.raises(RuntimeError, match="active mode"):
            channel.on_receive()(print)
        for i in range(3):
            main.send(wire.FrameKind.DELIVER, {"channel_id": 1, "payload": types.pack(i)})
        assert [await channel.receive(timeout=5) for _ in range(3)] == [0, 1, 2]
        main.send(wire.FrameKind.CHANNEL_CLOSED, {"channel_id": 1})
        with pytest.raises(firn.ChannelClosedError):
            await channel.receive(timeout=5)
        await client.close()

    run(scenario())


def test_opening_a_channel_and_a_type_mismatch(main):
    async def scenario():
        client = await connected(main)
        opening = asyncio.ensure_future(client.get_channel("orders", types.STRING))
        request = await expect(main, wire.FrameKind.OPEN_CHANNEL)
        assert request["name"] == "orders" and request["type_name"] == "System.String" and request["flags"] == 0
        main.send(wire.FrameKind.CHANNEL_OPENED, {"request_id": request["request_id"], "status": 0, "channel_id": 9, "closed": False})
        assert (await opening).id == 9
        mismatch = asyncio.ensure_future(client.get_channel("orders", types.INT64))
        request = await expect(main, wire.FrameKind.OPEN_CHANNEL)
        main.send(wire.FrameKind.CHANNEL_OPENED, {"request_id": request["request_id"], "status": 1, "message": "Channel 'orders' carries System.String"})
        with pytest.raises(firn.ChannelTypeMismatchError, match="carries System.String"):
            await mismatch
        await client.close()

    run(scenario())


def test_store_requests_are_pipelined_and_matched_by_id(main):
    async def scenario():
        client = await connected(main)
        memory = client.shared_memory
        first = asyncio.ensure_future(memory.incr("n", 5))
        second = asyncio.ensure_future(memory.get("name", type_name=types.STRING))
        a = await expect(main, wire.FrameKind.STORE_REQUEST)
        b = await expect(main, wire.FrameKind.STORE_REQUEST)
        assert (a["operation"], a["delta"], b["operation"]) == (wire.StoreOperation.INCREMENT, 5, wire.StoreOperation.GET)
        reply = {"flag": False, "number": 0, "text": "", "items": [], "payload": b""}
        main.send(wire.FrameKind.STORE_REPLY, {**reply, "request_id": b["request_id"], "status": 0, "text": "System.Int64", "payload": types.pack(3)})
        main.send(wire.FrameKind.STORE_REPLY, {**reply, "request_id": a["request_id"], "status": 0, "number": 8})
        assert await first == 8
        with pytest.raises(firn.StoreTypeMismatchError):
            await second
        setting = asyncio.ensure_future(memory.set("k", "v", ttl=1.5))
        request = await expect(main, wire.FrameKind.STORE_REQUEST)
        assert (request["type_name"], request["ttl_ms"], request["payload"]) == ("System.String", 1500, types.pack("v"))
        main.send(wire.FrameKind.STORE_REPLY, {**reply, "request_id": request["request_id"], "status": 3, "text": "the store is full"})
        with pytest.raises(firn.StoreError, match="full"):
            await setting
        await client.close()

    run(scenario())


def test_rpc_invocations_answer_results_and_remote_errors_and_calls_read_them(main):
    async def scenario():
        client = await connected(main)
        registering = asyncio.ensure_future(client.rpc.register("div", lambda a, b: a // b))
        request = await expect(main, wire.FrameKind.RPC_REGISTER)
        main.send(wire.FrameKind.RPC_REGISTERED, {"request_id": request["request_id"], "status": 0, "error": ""})
        await registering
        for invocation, arguments in ((5, [7, 2]), (6, [1, 0])):
            main.send(wire.FrameKind.RPC_INVOKE, {"invocation_id": invocation, "flags": 0, "credit": 0, "method": "div", "caller": "main",
                                                 "arguments": [types.pack(a) for a in arguments]})
        ok = await expect(main, wire.FrameKind.RPC_RESULT)
        assert ok == {"id": 5, "status": 0, "result": types.pack(3)}
        failed = await expect(main, wire.FrameKind.RPC_RESULT)
        assert failed["status"] == wire.RpcStatus.REMOTE_ERROR and failed["error"]["type_name"] == "ZeroDivisionError"
        assert "Traceback" in failed["error"]["stack"]

        calling = asyncio.ensure_future(client.rpc.call("remote", 1, "x"))
        call = await expect(main, wire.FrameKind.RPC_CALL)
        assert call["method"] == "remote" and call["arguments"] == [types.pack(1), types.pack("x")]
        main.send(wire.FrameKind.RPC_REPLY, {"id": call["call_id"], "status": 1,
                                            "error": {"process": "other", "type_name": "System.InvalidOperationException", "message": "no", "stack": "at X"}})
        with pytest.raises(firn.RpcRemoteError) as error:
            await calling
        assert (error.value.process, error.value.type_name, error.value.remote_stack) == ("other", "System.InvalidOperationException", "at X")

        timing_out = asyncio.ensure_future(client.rpc.call("slow", timeout=0.2))
        call = await expect(main, wire.FrameKind.RPC_CALL)
        with pytest.raises(TimeoutError):
            await timing_out
        assert (await expect(main, wire.FrameKind.RPC_CANCEL)) == {"call_id": call["call_id"]}
        await client.close()

    run(scenario())


def test_publications_reach_exact_and_pattern_subscribers(main):
    async def scenario():
        client = await connected(main)
        got = []
        subscribing = asyncio.ensure_future(client.shared_memory.subscribe("news.*", lambda topic, data: got.append((topic, data))))
        request = await expect(main, wire.FrameKind.SUBSCRIBE)
        assert request["topic"] == "news.*"
        main.send(wire.FrameKind.SUBSCRIBE_REPLY, {"request_id": request["request_id"], "status": 0, "error": ""})
        subscription = await subscribing
        events = []
        subscribing = asyncio.ensure_future(client.events.subscribe("user.?", events.append))
        request = await expect(main, wire.FrameKind.SUBSCRIBE)
        assert request["topic"] == "event:user.?"
        main.send(wire.FrameKind.SUBSCRIBE_REPLY, {"request_id": request["request_id"], "status": 0, "error": ""})
        await subscribing
        main.send(wire.FrameKind.PUBLICATION, {"topic": "news.a.b", "type_name": "System.Int64", "payload": types.pack(1)})
        main.send(wire.FrameKind.PUBLICATION, {"topic": "event:user.1", "type_name": "Firn.Event", "payload": types.pack({"x": 1})})
        while len(got) < 1 or len(events) < 1:
            await asyncio.sleep(0.01)
        assert got == [("news.a.b", 1)] and events == [firn.Event("user.1", {"x": 1})]
        subscription.cancel()
        assert (await expect(main, wire.FrameKind.UNSUBSCRIBE)) == {"topic": "news.*"}
        await client.shared_memory.publish("t", 2.5)
        assert (await expect(main, wire.FrameKind.PUBLISH)) == {"topic": "t", "type_name": "System.Double", "payload": types.pack(2.5)}
        await client.close()

    run(scenario())


async def _subscribed(main, client, topic, handler, **options):
    subscribing = asyncio.ensure_future(client.shared_memory.subscribe(topic, handler, **options))
    request = await expect(main, wire.FrameKind.SUBSCRIBE)
    main.send(wire.FrameKind.SUBSCRIBE_REPLY, {"request_id": request["request_id"], "status": 0, "error": ""})
    return await subscribing


async def _until(condition):
    while not condition():  # the scenario's 30 s bound (run) fails the test if it never holds
        await asyncio.sleep(0.01)


@pytest.mark.parametrize("overflow, kept", [("drop_oldest", [1, 4, 5]), ("drop_newest", [1, 2, 3])])
def test_a_slow_subscription_holds_at_most_its_buffer_and_drops_by_its_overflow(main, overflow, kept):
    async def scenario():
        client = await connected(main)
        release = asyncio.Event()
        got = []

        async def slow(data):
            got.append(data)
            await release.wait()

        subscription = await _subscribed(main, client, "ticks", slow, buffer_size=2, overflow=overflow)
        main.send(wire.FrameKind.PUBLICATION, {"topic": "ticks", "type_name": "System.Int64", "payload": types.pack(1)})
        await _until(lambda: got == [1])

        # The handler holds 1; a buffer of 2 takes two of the next four, and the other two are dropped.
        for number in (2, 3, 4, 5):
            main.send(wire.FrameKind.PUBLICATION, {"topic": "ticks", "type_name": "System.Int64", "payload": types.pack(number)})
        await _until(lambda: subscription.dropped == 2)
        release.set()
        await _until(lambda: len(got) == 3)
        assert got == kept
        assert subscription.dropped == 2
        await client.close()

    run(scenario())


@pytest.mark.parametrize("options", [{"buffer_size": 0}, {"buffer_size": 10_000_001}, {"buffer_size": True}, {"overflow": "drop_all"}])
def test_a_subscription_buffer_outside_its_range_is_refused_before_anything_is_sent(main, options):
    async def scenario():
        client = await connected(main)
        with pytest.raises(ValueError):
            await client.shared_memory.subscribe("t", print, **options)
        with pytest.raises(ValueError):
            await client.events.subscribe("e", print, **options)

        # Nothing went out: the next frame the main process sees is this publication.
        await client.shared_memory.publish("t", 1)
        assert (await expect(main, wire.FrameKind.PUBLISH))["topic"] == "t"
        assert client.shared_memory._subscriptions == {}
        await client.close()

    run(scenario())


def test_a_subscription_buffer_of_one_and_of_the_largest_size_are_accepted(main):
    async def scenario():
        client = await connected(main)
        smallest = await _subscribed(main, client, "small", print, buffer_size=1)
        largest = await _subscribed(main, client, "large", print, buffer_size=10_000_000)
        assert smallest.dropped == 0 and largest.dropped == 0
        await client.close()

    run(scenario())


def test_a_frame_that_breaks_the_protocol_closes_the_connection_and_fails_what_waits(main):
    async def scenario():
        client = await connected(main)
        waiting = asyncio.ensure_future(client.shared_memory.get("k"))
        await expect(main, wire.FrameKind.STORE_REQUEST)
        main.send_raw(wire.frame(99, b""))
        with pytest.raises(firn.FirnDisconnectedError) as error:
            await waiting
        assert error.value.reason == DisconnectReason.PROTOCOL_VIOLATION
        assert client.stopping.is_set()
        await asyncio.to_thread(main.expect_closed)
        with pytest.raises(firn.FirnDisconnectedError):
            await client.active_channel.send(1)

    run(scenario())


def test_a_stop_frame_sets_stopping_and_control_requests_go_out_once(main):
    async def scenario():
        client = await connected(main)
        client.request_restart()
        client.request_stop()
        assert (await expect(main, wire.FrameKind.CONTROL)) == {"request": wire.ControlRequest.RESTART_SELF}
        main.send(wire.FrameKind.STOP)
        await asyncio.wait_for(client.stopping.wait(), 5)
        assert client.stop_requested
        await client.close()
        await asyncio.to_thread(main.expect_closed)

    run(scenario())


def test_a_reject_fails_connecting_with_a_configuration_error(main):
    async def scenario():
        from firn.client import Client
        client = Client(main.environment(), asyncio.get_running_loop())
        connecting = asyncio.ensure_future(client._connect(10))
        await expect(main, wire.FrameKind.HELLO)
        main.send(wire.FrameKind.REJECT, {"reason": "wrong secret"})
        with pytest.raises(firn.FirnConfigurationError, match="wrong secret"):
            await connecting
        await client.close()

    run(scenario())


def test_the_client_offers_no_capabilities_and_refuses_a_welcome_that_puts_one_in_force(main):
    async def scenario():
        from firn.client import Client
        client = Client(main.environment(), asyncio.get_running_loop())
        connecting = asyncio.ensure_future(client._connect(10))
        await asyncio.to_thread(main.welcome, capabilities=["trace-context"])
        with pytest.raises(firn.ProtocolError, match="did not offer"):
            await connecting
        await client.close()

    run(scenario())


def test_a_welcome_with_capabilities_the_child_offered_puts_them_in_force(main):
    async def scenario():
        from firn.client import Client
        client = Client(main.environment(), asyncio.get_running_loop())
        client.offered_capabilities = ("trace-context",)
        connecting = asyncio.ensure_future(client._connect(10))
        hello = await expect(main, wire.FrameKind.HELLO)
        assert hello["capabilities"] == ["trace-context"]
        main.send(wire.FrameKind.WELCOME, {"version": 1, "max_message_size": 1 << 20, "send_window": 16, "pending_bytes_limit": 1 << 20,
                                           "channels": {"active_id": 1, "active_closed": False, "passive_id": 2, "passive_closed": False},
                                           "capabilities": ["trace-context"]})
        await connecting
        assert client.capabilities == ("trace-context",)
        await client.close()

    run(scenario())


def test_topic_patterns_match_as_in_csharp():
    from firn.shared_memory import topic_matches
    assert topic_matches("news.*", "news.a.b") and topic_matches("a?c", "abc") and topic_matches("*", "")
    assert not topic_matches("a?c", "ac") and not topic_matches("news.*", "new") and topic_matches("*:*", "event:x")


def test_topic_patterns_count_utf16_code_units_as_the_main_process_does():
    from firn.shared_memory import topic_matches
    emoji = "\U0001F600"  # two UTF-16 code units
    assert topic_matches("a??", "a" + emoji) and not topic_matches("a?", "a" + emoji)
    assert topic_matches("a?" + "\uDE00", "a" + emoji) and topic_matches("*" + emoji, "xy" + emoji)
    assert topic_matches("a*", "a" + emoji) and not topic_matches("??", emoji + "b")
    assert topic_matches("?\u00e9", "x\u00e9") and not topic_matches("?", "")
