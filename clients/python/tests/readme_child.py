"""The README's "Children in Python" example, verbatim (tests/Firn.Tests/Python/PythonAttackTests.cs runs it)."""

import firn

async def main(client: firn.Client) -> None:
    @client.passive_channel.on_receive(filter=lambda data: isinstance(data, str))
    def on_passive(data: str) -> None:
        print("Passive receive:", data)

    async for data in client.active_channel:          # until the channel or the connection closes, or the child stops
        count = await client.shared_memory.incr("received")
        print(f"Active receive: {data} (#{count})")

firn.run(main)                                        # connects from the FIRN_* environment; exit codes as a C# child's
