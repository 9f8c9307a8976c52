"""Attacks on the client's documented promises (README "Children in Python", docs/python.md, docs/PROTOCOL.md) against a
stand-in main process over a real Unix socket: each test names the promise it checks."""

import asyncio

import pytest

import firn
from firn import types, wire

from fake_main import FakeMain, connected


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 30))


@pytest.fixture
def main():
    fake = FakeMain()
    yield fake
    fake.close()


async def expect(main, kind, **options):
    return await asyncio.to_thread(main.expect, kind, **options)


async def registered(client, main, method, handler):
    registering = asyncio.ensure_future(client.rpc.register(method, handler))
    request = await expect(main, wire.FrameKind.RPC_REGISTER)
    main.send(wire.FrameKind.RPC_REGISTERED, {"request_id": request["request_id"], "status": 0, "error": ""})
    await registering


def test_a_second_registration_of_a_method_in_the_same_process_is_refused_and_the_first_keeps_serving(main):
    # docs/python.md: a name belongs to one process; RpcError for "a name taken". The main process refuses a second
    # registration of a name this process holds: that refusal must not take away the first handler.
    async def scenario():
        client = await connected(main)
        await registered(client, main, "m", lambda: "first")
        second = asyncio.ensure_future(client.rpc.register("m", lambda: "second"))
        done, _ = await asyncio.wait({second}, timeout=0.5)
        if not done:  # the unfixed client asks the main process, which refuses (the name is this process's)
            request = await expect(main, wire.FrameKind.RPC_REGISTER)
            main.send(wire.FrameKind.RPC_REGISTERED, {"request_id": request["request_id"], "status": 1, "error": "Method 'm' is already registered by process 'py'"})
        with pytest.raises(firn.RpcError, match="already registered"):
            await second
        main.send(wire.FrameKind.RPC_INVOKE, {"invocation_id": 9, "flags": 0, "credit": 0, "method": "m", "caller": "main", "arguments": []})
        assert (await expect(main, wire.FrameKind.RPC_RESULT)) == {"id": 9, "status": 0, "result": types.pack("first")}
        await client.close()

    run(scenario())
