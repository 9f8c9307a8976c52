"""The child "nonebot" of samples/Firn.PythonDemo, written in Python with the firn package (clients/python).

A passive handler (filter: "is a string") logs "Passive receive: ..." and an active loop logs "Active receive: ...".
Each active message increments the shared counter "active-count" and publishes an event on "nonebot.heard". After its
second active message, the first instance asks the main process over the "control" channel to restart it (the seed's
"restart the bot" scenario).
"""

from __future__ import annotations

import asyncio
import logging

import firn
from firn import types

log = logging.getLogger("nonebot")


async def main(client: firn.Client) -> None:
    memory = client.shared_memory
    control = await client.get_channel("control", types.STRING)

    @client.passive_channel.on_receive(filter=lambda data: isinstance(data, str))
    def on_passive(data: str) -> None:
        log.info("Passive receive: %s", data)

    received = 0
    while not client.stopping.is_set():
        receive = asyncio.ensure_future(client.active_channel.receive())
        stopping = asyncio.ensure_future(client.stopping.wait())
        done, _ = await asyncio.wait({receive, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if receive not in done:
            receive.cancel()
            break
        try:
            data = receive.result()
        except (firn.ChannelClosedError, firn.FirnDisconnectedError):
            break
        log.info("Active receive: %s", data)
        count = await memory.incr("active-count")
        await memory.publish("nonebot.heard", f"message #{count}")
        received += 1
        # Only once per run: the store outlives the instance, so the restarted child does not ask again.
        if received == 2 and await memory.set_if_absent("nonebot.restart-requested", True):
            log.info('A user typed "restart": asking the main process to restart me')
            await control.send("restart nonebot")


if __name__ == "__main__":
    firn.run(main)
