"""A Python Firn child for the cross-language tests (tests/Firn.Tests/Python): run as
``python3 clients/python/tests/e2e_child.py`` by a C# main process that declares it with AddProcess.

Passive channel: strings are answered on "py-out" with "Passive receive: {text}"; other messages are ignored by the
filter. Active channel: each message m is answered on "py-out" with "Active receive: {m}", and "restart" makes the
child ask for its own restart. "py-numbers" (System.Int64) messages are summed and counted in the store
("py.numbers.count", "py.numbers.sum", written every 1000 messages). RPC: "py.add" and
"py.fail"; on "call" (active channel) the child calls "cs.mul" and "cs.fail" and records what it got in the store. It
subscribes to "news.*" and republishes on "py.echo", and on "event" publishes the event "py.started".
"""

from __future__ import annotations

import asyncio
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import firn  # noqa: E402
from firn import types  # noqa: E402


async def main(client: firn.Client) -> None:
    out = await client.get_channel("py-out", types.STRING)
    numbers = await client.get_channel("py-numbers", types.INT64)
    memory = client.shared_memory

    @client.passive_channel.on_receive(filter=lambda m: isinstance(m, str))
    async def on_text(message: str) -> None:
        await out.send(f"Passive receive: {message}")

    total = {"count": 0, "sum": 0}

    async def on_number(value: int) -> None:
        total["count"] += 1
        total["sum"] += value
        if total["count"] % 1000 == 0:
            await memory.set("py.numbers.sum", total["sum"])
            await memory.set("py.numbers.count", total["count"])

    numbers.add_handler(on_number)

    def add(a: int, b: int) -> int:
        return a + b

    def fail(text: str) -> None:
        raise ValueError(text)

    await client.rpc.register("py.add", add)
    await client.rpc.register("py.fail", fail)

    async def on_news(topic: str, data: object) -> None:
        await memory.publish("py.echo", f"{topic}={data}")

    await memory.subscribe("news.*", on_news)
    await memory.incr("py.starts")
    await memory.set("py.name", "snake", ttl=600)
    await memory.set_if_absent("py.first", "yes")
    await memory.compare_and_set("py.name", "snake", "python")

    try:
        await client.get_channel("py-out", types.INT64)
    except firn.ChannelTypeMismatchError:
        await memory.set("py.mismatch", True)
    client.signal_ready()

    active = client.active_channel
    while not client.stopping.is_set():
        receive = asyncio.ensure_future(active.receive())
        stopping = asyncio.ensure_future(client.stopping.wait())
        done, _ = await asyncio.wait({receive, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if receive not in done:
            receive.cancel()
            break
        stopping.cancel()
        try:
            message = receive.result()
        except (firn.ChannelClosedError, firn.FirnDisconnectedError):
            break
        if message == "restart":
            client.request_restart()
        elif message == "call":
            await memory.set("py.mul", await client.rpc.call("cs.mul", 6, 7))
            try:
                await client.rpc.call("cs.fail", "bad")
            except firn.RpcRemoteError as error:
                await memory.set("py.remote_error", error.type_name)
        elif message == "event":
            await client.events.publish("py.started", {"pid": os.getpid()})
        await out.send(f"Active receive: {message}")


if __name__ == "__main__":
    firn.run(main, ready=False)
