"""A Python Firn child for the attack tests (tests/Firn.Tests/Python/PythonAttackTests.cs), run as a module
("attack_child") by FirnApp.AddPythonProcess. Each string on its active channel is a command; it records what happened
in the store under "atk.{command}" (a string: the outcome, or the error's class name) and then sets "atk.done.{command}".

- ``big``: on "atk-big" (System.Byte[]) sends a message of exactly the connection's max message size, then one of a
  byte more; receives one on "atk-big-in" and records its length.
- ``record``: receives an "AtkReply" record on "atk-rec" and sends it back with Count + 1.
- ``unicode``: sends "привет 😀" on the System.String channel "канал-😀".
- ``empty``: sends None, "" on "atk-str" (System.String), b"" on "atk-bytes", [] and {} on "atk-obj"; stores None.
- ``ints``: receives an integer on "atk-u64" (System.UInt64) and sends it back; stores 2**63 - 1, -2**63 and 2**64 - 1.
- ``surrogate``: sends {"Text": "a\\ud800b", "Count": 1} on "atk-rec".
- ``longkey``: stores under a key of 600 emoji (1,200 UTF-16 characters, over the limit of 1,024).
- ``stop``: asks the main process to stop this child (request_stop).
"""

from __future__ import annotations

import os

import firn
from firn import types

REPLY = os.environ.get("ATK_REPLY_TYPE", "Firn.Tests.Python.AtkReply")


async def main(client: firn.Client) -> None:
    memory = client.shared_memory

    async def outcome(command: str, text: str) -> None:
        await memory.set(f"atk.{command}", text)
        await memory.set(f"atk.done.{command}", True)

    async def on_command(command: object) -> None:
        try:
            if command == "big":
                big = await client.get_channel("atk-big", types.BYTES)
                limit = client.max_message_size
                at_limit = bytes(limit - 3)  # bin16: 3 header bytes
                assert len(types.pack(at_limit)) == limit
                await big.send(at_limit)
                try:
                    await big.send(bytes(limit - 2))
                    over = "sent"
                except firn.MessageTooLargeError:
                    over = "MessageTooLargeError"
                received = await (await client.get_channel("atk-big-in", types.BYTES)).receive(timeout=30)
                await outcome("big", f"{over},{len(received)}")
            elif command == "record":
                records = await client.get_channel("atk-rec", REPLY)
                record = await records.receive(timeout=30)
                await records.send({"Text": record["Text"] + "!", "Count": record["Count"] + 1})
                await outcome("record", repr(sorted(record)))
            elif command == "unicode":
                await (await client.get_channel("канал-😀", types.STRING)).send("привет 😀")
                await outcome("unicode", "sent")
            elif command == "empty":
                text = await client.get_channel("atk-str", types.STRING)
                await text.send(None)
                await text.send("")
                await (await client.get_channel("atk-bytes", types.BYTES)).send(b"")
                objects = await client.get_channel("atk-obj")
                await objects.send([])
                await objects.send({})
                await memory.set("atk.nil", None)
                await outcome("empty", "sent")
            elif command == "ints":
                numbers = await client.get_channel("atk-u64", "System.UInt64")
                value = await numbers.receive(timeout=30)
                await numbers.send(value)
                await memory.set("atk.max", (1 << 63) - 1)
                await memory.set("atk.min", -(1 << 63))
                await memory.set("atk.u64", (1 << 64) - 1)
                await outcome("ints", str(value))
            elif command == "surrogate":
                await (await client.get_channel("atk-rec", REPLY)).send({"Text": "a\ud800b", "Count": 1})
                await outcome("surrogate", "sent")
            elif command == "longkey":
                try:
                    await memory.set("\U0001F600" * 600, 1)  # 600 Python characters, 1,200 UTF-16 ones
                    await outcome("longkey", "stored")
                except ValueError:
                    await outcome("longkey", "ValueError")
            elif command == "stop":
                await outcome("stop", "requested")
                client.request_stop()
        except Exception as error:  # the test reads the class name
            await outcome(str(command), type(error).__name__ + ": " + str(error))

    client.active_channel.add_handler(on_command)
    await memory.set("atk.ready", os.getpid())
    client.signal_ready()
    await client.stopping.wait()


if __name__ == "__main__":
    firn.run(main, ready=False)
