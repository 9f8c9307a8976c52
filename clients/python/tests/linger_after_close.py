"""A child that stops on SIGTERM, closes its connection, then lingers a second with SIGTERM's default action back (as
a Python process's interpreter teardown has it): a SIGTERM from the main process in that second would kill it."""

import asyncio
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import firn  # noqa: E402


async def main() -> None:
    client = await firn.connect()
    client.signal_ready()
    await client.stopping.wait()
    await client.shared_memory.set("linger.closing", True)
    await client.close()
    asyncio.get_running_loop().remove_signal_handler(signal.SIGTERM)
    await asyncio.sleep(1.0)


asyncio.run(main())
sys.exit(0)
