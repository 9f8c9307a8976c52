"""Polling ("socket-poll", docs/PROTOCOL.md): a client offers it unless its window is zero, and where the Welcome puts
it in force the loop stays awake for the window after a read while reads come close together, and sleeps after."""

import asyncio
import time

import pytest

import firn
from firn import types, wire
from firn.client import Client

from fake_main import run


def deliver(number: int) -> bytes:
    return wire.encode_frame(wire.FrameKind.DELIVER, {"channel_id": 1, "payload": types.pack(number)})


async def polling_client(main, window: float, agree: bool) -> Client:
    client = Client(main.environment(), asyncio.get_running_loop(), socket_poll_window=window)
    connecting = asyncio.ensure_future(client._connect(10))
    hello = await asyncio.to_thread(main.expect, wire.FrameKind.HELLO)
    assert hello["capabilities"] == (["socket-poll"] if window > 0 else [])
    main.send(wire.FrameKind.WELCOME, {"version": 1, "max_message_size": 1 << 20, "send_window": 16, "pending_bytes_limit": 1 << 20,
                                       "channels": {"active_id": 1, "active_closed": False, "passive_id": 2, "passive_closed": False},
                                       "capabilities": ["socket-poll"] if agree else []})
    await connecting
    return client


async def until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        await asyncio.sleep(0.001)


def test_a_client_with_a_window_offers_socket_poll_and_polls_only_where_the_welcome_put_it_in_force(main):
    async def scenario():
        client = await polling_client(main, 50e-6, agree=True)
        assert client.capabilities == ("socket-poll",)
        assert client._connection.poll_window == 50e-6
        await client.close()

    run(scenario())


def test_a_welcome_without_socket_poll_leaves_the_loop_to_sleep(main):
    async def scenario():
        client = await polling_client(main, 50e-6, agree=False)
        assert client.capabilities == () and client._connection.poll_window == 0
        client.active_channel.try_receive()
        client._flush()
        await asyncio.to_thread(main.expect, wire.FrameKind.ATTACH)
        for number in range(2):
            main.sock.sendall(deliver(number))
            assert await client.active_channel.receive(timeout=10) == number
            assert not client._connection._keeping_awake
        await client.close()

    run(scenario())


def test_a_zero_window_offers_nothing(main):
    async def scenario():
        client = await polling_client(main, 0.0, agree=False)
        assert client.offered_capabilities == ()
        await client.close()

    run(scenario())


def test_reads_close_together_keep_the_loop_awake_for_the_window_then_it_sleeps(main):
    async def scenario():
        client = await polling_client(main, 50e-6, agree=True)
        connection = client._connection
        # A window long enough that the second read surely comes within two of the first, even on a loaded machine.
        connection.poll_window = 2.0
        client.active_channel.try_receive()
        client._flush()
        await asyncio.to_thread(main.expect, wire.FrameKind.ATTACH)

        main.sock.sendall(deliver(1))
        assert await client.active_channel.receive(timeout=10) == 1
        main.sock.sendall(deliver(2))
        assert await client.active_channel.receive(timeout=10) == 2
        assert connection._keeping_awake, "a read close after another did not keep the loop awake"

        # The window passes with nothing read: the chain of call_soon ends and the loop may sleep again.
        await until(lambda: not connection._keeping_awake)
        await client.close()

    run(scenario())


def test_the_window_is_zero_to_one_millisecond():
    for wrong in (-1e-9, 0.0011):
        with pytest.raises(ValueError, match="socket_poll_window must be 0 to 0.001"):
            asyncio.run(firn.connect(socket_poll_window=wrong))
