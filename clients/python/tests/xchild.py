"""A Python Firn child for the cross-language tests (tests/Firn.Tests/Python), run as a module ("xchild") by
FirnApp.AddPythonProcess; XCHILD_MODE picks what it does after it connects:

- ``launch``: records its pid and arguments in the store ("xchild.pid", "xchild.argv").
- ``counter``: increments "x.counter" XCHILD_COUNT times, then sets "x.py.done".
- ``pubsub``: republishes every "cs.*" publication on "py.echo" as "{topic}={data}"; on "publish" (active channel)
  publishes "7:from python" on "py.num".
- ``rpc``: registers "py.double" and "py.fail"; on "call" (active channel) calls "cs.square" and "cs.fail" and
  records the results ("x.square", "x.remote_type", "x.remote_message").
- ``crash``: counts its starts ("x.starts"); on "crash" (active channel) the first instance exits with code 7.
- ``malformed``: on "garbage" (active channel) writes bytes that are no frame to its connection.

Every mode but ``launch`` sets "xchild.ready" to its pid once it is set up, then waits for ``stopping``.
"""

from __future__ import annotations

import asyncio
import os
import sys

import firn
from firn import types


async def main(client: firn.Client) -> None:
    mode = os.environ.get("XCHILD_MODE", "launch")
    memory = client.shared_memory
    if mode == "launch":
        await memory.set("xchild.argv", " ".join(sys.argv[1:]))
        await memory.set("xchild.pid", os.getpid())
    elif mode == "counter":
        for _ in range(int(os.environ.get("XCHILD_COUNT", "1000"))):
            await memory.incr("x.counter")
        await memory.set("x.py.done", True)
    elif mode == "pubsub":
        async def on_cs(topic: str, data: object) -> None:
            await memory.publish("py.echo", f"{topic}={data}")

        await memory.subscribe("cs.*", on_cs)
    elif mode == "rpc":
        def fail(text: str) -> None:
            raise KeyError(text)

        await client.rpc.register("py.double", lambda x: 2 * x)
        await client.rpc.register("py.fail", fail)
    starts = await memory.incr("x.starts") if mode == "crash" else 0

    async def on_active(message: object) -> None:
        if message == "call":
            await memory.set("x.square", await client.rpc.call("cs.square", 9))
            try:
                await client.rpc.call("cs.fail", "nope")
            except firn.RpcRemoteError as error:
                await memory.set("x.remote_type", error.type_name)
                await memory.set("x.remote_message", str(error))
        elif message == "publish":
            await memory.publish("py.num", "7:from python")
        elif message == "crash" and starts == 1:
            # The message was not acknowledged, so the next instance gets it again: only the first one crashes.
            os._exit(7)
        elif message == "garbage":
            # Test only: a frame header announcing an unknown kind and a huge body, straight onto the socket.
            client._connection._sock.sendall(b"\xff\xff\xff\x7f\xee" + b"\x00" * 64)

    client.active_channel.add_handler(on_active)
    await memory.set("xchild.ready", os.getpid())
    client.signal_ready()
    await client.stopping.wait()


if __name__ == "__main__":
    firn.run(main, ready=False)
