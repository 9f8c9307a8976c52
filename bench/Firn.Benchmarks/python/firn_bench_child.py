"""The Python child of the "firn-python" contestant (B1, B2), written with the firn package (clients/python).

  thr   waits for "send CHANNEL COUNT" commands on its active channel and sends COUNT 64-character strings on CHANNEL
  lat   answers every string on "b2-ping" with the same string on "b2-pong", one at a time
"""

from __future__ import annotations

import sys

import firn
from firn import types

MESSAGE = "0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789ABCDEF"


async def throughput(client: firn.Client) -> None:
    channels: dict[str, firn.Channel] = {}
    client.signal_ready()
    async for command in client.active_channel:
        _, name, count = command.split()
        if name not in channels:
            channels[name] = await client.get_channel(name, types.STRING)
        send = channels[name].send
        for _ in range(int(count)):
            await send(MESSAGE)


async def echo(client: firn.Client) -> None:
    ping = await client.get_channel("b2-ping", types.STRING)
    pong = await client.get_channel("b2-pong", types.STRING)
    receive, send = ping.receive, pong.send
    ping.try_receive()  # attaches in active mode before the main process is told the child is ready
    client.signal_ready()
    while True:
        try:
            message = await receive()
        except (firn.ChannelClosedError, firn.FirnDisconnectedError):
            return
        await send(message)


async def main(client: firn.Client) -> None:
    await (throughput(client) if sys.argv[1] == "thr" else echo(client))


firn.run(main)
