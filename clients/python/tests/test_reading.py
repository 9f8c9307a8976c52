"""Reading the socket: the event loop reads it, and the watchdog thread stands in while the loop is blocked (answering
Pings, queueing the other frames in order), then hands it back; a close met by either reports the same reason."""

import asyncio
import socket
import struct
import threading
import time

import pytest

from firn import types, wire
from firn._connection import CHECK, STALL, Connection
from firn.errors import DisconnectReason

from fake_main import FakeMain, connected, run

# How long a Ping sent to a blocked loop may wait for its Pong: the watchdog's detection plus scheduling slack.
PONG_WITHIN = STALL + 2 * CHECK + 0.4


def deliver(number: int) -> bytes:
    return wire.encode_frame(wire.FrameKind.DELIVER, {"channel_id": 1, "payload": types.pack(number)})


def ping_and_time(main: FakeMain) -> float:
    started = time.monotonic()
    main.send(wire.FrameKind.PING)
    main.expect(wire.FrameKind.PONG, skip=(wire.FrameKind.ACK,))
    return time.monotonic() - started


async def attached(main: FakeMain):
    client = await connected(main)
    client.active_channel.try_receive()  # attaches in active mode
    client._flush()
    await asyncio.to_thread(main.expect, wire.FrameKind.ATTACH)
    return client


def test_the_loop_reads_the_socket_and_answers_pings_itself_while_it_turns(main):
    async def scenario():
        client = await attached(main)
        for _ in range(3):
            assert await asyncio.to_thread(ping_and_time, main) < 0.2
        connection = client._connection
        assert connection._loop_reads > 0 and not connection._thread_reads
        await client.close()

    run(scenario())


def test_pings_are_answered_again_and_again_while_the_loop_stays_blocked_and_the_loop_reads_again_after(main):
    async def scenario():
        client = await attached(main)
        connection = client._connection
        blocked = threading.Event()
        pongs: list[float] = []

        def main_side():
            assert blocked.wait(10)
            for _ in range(3):
                pongs.append(ping_and_time(main))

        pinging = threading.Thread(target=main_side)
        pinging.start()
        blocked.set()
        time.sleep(3 * PONG_WITHIN + 0.5)  # user code holding the loop, longer than the watchdog's threshold
        took_over = connection._thread_reads
        await asyncio.to_thread(pinging.join)
        assert took_over and len(pongs) == 3 and max(pongs) < PONG_WITHIN, pongs
        # The loop turns again: the next bytes it sees, it reads itself.
        assert await asyncio.to_thread(ping_and_time, main) < 1.0
        await asyncio.sleep(0.05)
        reads = connection._loop_reads
        assert await asyncio.to_thread(ping_and_time, main) < 0.2
        assert connection._loop_reads > reads and not connection._thread_reads
        await client.close()

    run(scenario())


def test_frames_keep_their_order_when_the_thread_takes_the_socket_over_and_hands_it_back(main):
    async def scenario():
        client = await attached(main)
        channel = client.active_channel
        blocked = threading.Event()
        during = threading.Event()

        def main_side():
            for number in range(0, 100):
                main.send_raw(deliver(number))
            assert blocked.wait(10)
            time.sleep(STALL + 2 * CHECK)
            # The thread reads now: frames, a frame split across two writes, and Pings between them.
            for number in range(100, 200):
                main.send_raw(deliver(number))
                if number % 50 == 0:
                    assert ping_and_time(main) < PONG_WITHIN
            split = deliver(200)
            main.send_raw(split[:7])
            time.sleep(0.05)
            main.send_raw(split[7:] + b"".join(deliver(number) for number in range(201, 250)))
            assert ping_and_time(main) < PONG_WITHIN
            during.set()

        sending = threading.Thread(target=main_side)
        sending.start()
        received = [await channel.receive(timeout=10)]
        blocked.set()
        deadline = time.monotonic() + 10
        while not during.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)  # the loop stays blocked while the main process sends
        assert during.is_set() and client._connection._thread_reads
        await asyncio.to_thread(sending.join)
        for number in range(250, 300):
            main.send_raw(deliver(number))  # the loop reads these, after what the thread queued
        while len(received) < 300:
            received.append(await channel.receive(timeout=10))
        assert received == list(range(300))
        assert not client._connection._thread_reads
        await client.close()

    run(scenario())


def test_the_loop_delivers_what_the_thread_queued_before_what_it_reads_itself():
    # The case the end-to-end test above rarely meets: the loop's reader runs while frames the thread read still wait
    # (the loop was blocked by a callback queued before the reader in the same turn).
    async def scenario():
        mine, theirs = socket.socketpair()
        delivered: list[tuple[int, bytes]] = []
        connection = Connection(mine, asyncio.get_running_loop(), 1 << 20, delivered.extend, lambda reason, error: None)
        connection._thread_reads = True
        connection._inbound.append([(wire.FrameKind.DELIVER, b"first"), (wire.FrameKind.DELIVER, b"second")])
        theirs.sendall(wire.frame(wire.FrameKind.DELIVER, b"third") + wire.frame(wire.FrameKind.PING) + wire.frame(wire.FrameKind.STOP))
        connection._on_readable()
        assert delivered == [(wire.FrameKind.DELIVER, b"first"), (wire.FrameKind.DELIVER, b"second"),
                             (wire.FrameKind.DELIVER, b"third"), (wire.FrameKind.STOP, b"")]
        assert theirs.recv(64) == wire.frame(wire.FrameKind.PONG)
        assert not connection._thread_reads and not connection._inbound
        mine.close()
        theirs.close()

    run(scenario())


@pytest.mark.parametrize("blocked", [False, True], ids=["loop-reads", "thread-reads"])
@pytest.mark.parametrize("ending, reason", [
    ("end-of-stream", DisconnectReason.REMOTE_PARTY_TERMINATED),
    ("frame-too-large", DisconnectReason.FRAME_TOO_LARGE),
    ("unknown-kind", DisconnectReason.PROTOCOL_VIOLATION),
])
def test_a_close_reports_the_same_reason_whoever_reads_the_socket(main, blocked, ending, reason):
    async def scenario():
        client = await attached(main)
        channel = client.active_channel
        main.send_raw(deliver(1))
        assert await channel.receive(timeout=10) == 1

        def end():
            if blocked:
                main.send(wire.FrameKind.PING)  # bytes the blocked loop leaves unread: the watchdog takes over
                main.expect(wire.FrameKind.PONG, skip=(wire.FrameKind.ACK,), timeout=10)
            if ending == "end-of-stream":
                main.sock.shutdown(2)
            elif ending == "frame-too-large":
                main.send_raw(struct.pack("<IB", 0x7FFFFFFF, wire.FrameKind.DELIVER))
            else:
                main.send_raw(wire.frame(99, b""))

        if blocked:
            ending_thread = threading.Thread(target=end)
            ending_thread.start()
            ending_thread.join(10)  # the loop is blocked meanwhile
            assert not ending_thread.is_alive()
            time.sleep(0.2)
        else:
            await asyncio.to_thread(end)
        await asyncio.wait_for(client.disconnected.wait(), 10)
        assert client.disconnect_reason == reason
        if reason != DisconnectReason.REMOTE_PARTY_TERMINATED:
            await asyncio.to_thread(main.expect_closed)
        await client.close()
        assert client.disconnect_reason == reason

    run(scenario())


def test_the_watchdog_thread_ends_when_the_connection_closes(main):
    async def scenario():
        client = await attached(main)
        reader = client._connection._reader
        assert reader.is_alive()
        await client.close()
        await asyncio.to_thread(reader.join, 5)
        assert not reader.is_alive()

    run(scenario())
