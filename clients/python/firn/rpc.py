"""Remote procedure calls between processes (the C# ``RpcEndpoint``): register handlers, call methods anywhere."""

from __future__ import annotations

import asyncio
import inspect
import logging
import traceback
from typing import TYPE_CHECKING, Any, Callable

from . import types, wire
from .errors import (FirnDisconnectedError, MessageTooLargeError, RpcError, RpcMethodNotFoundError, RpcProcessExitedError, RpcRemoteError)

if TYPE_CHECKING:
    from .client import Client

_log = logging.getLogger("firn.rpc")

MAX_TEXT = 8 * 1024
MAX_METHOD_NAME = 256
"""The longest method name, in characters (as in C#)."""


def _cut(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + " [cut]"


def _validate_method(method: str) -> None:
    """The C# rule (RpcNames): 1 to 256 characters (UTF-16 code units, as C# counts them), no control characters, no
    lone surrogate."""
    if not isinstance(method, str):
        raise TypeError(f"A method name is a str, not {type(method).__name__}.")
    wire.check_well_formed(method, "A method name")
    length = wire.utf16_length(method)
    if not 1 <= length <= MAX_METHOD_NAME:
        raise ValueError(f"A method name has 1 to {MAX_METHOD_NAME} characters; got {length}.")
    if any(character <= "\x1f" or "\x7f" <= character <= "\x9f" for character in method):
        raise ValueError("A method name may not contain control characters.")


def error_from_outcome(method: str, status: int, error: dict) -> RpcError:
    """The exception a failed outcome raises in the caller, as in C#."""
    process, type_name, message = error["process"], error["type_name"], error["message"]
    common = {"status": status, "process": process, "type_name": type_name, "remote_stack": error["stack"]}
    if status == wire.RpcStatus.REMOTE_ERROR:
        return RpcRemoteError(f"The handler of '{method}' in process '{process}' threw {type_name}: {message}", **common)
    if status == wire.RpcStatus.METHOD_NOT_FOUND:
        return RpcMethodNotFoundError(message or f"No process has registered the method '{method}'.", **common)
    if status == wire.RpcStatus.PROCESS_EXITED:
        return RpcProcessExitedError(message or f"The process handling '{method}' exited before it answered.", **common)
    return RpcError(message, **common)


class Rpc:
    def __init__(self, client: "Client") -> None:
        self._client = client
        self._handlers: dict[str, Callable[..., Any]] = {}
        self._invocations: dict[int, asyncio.Task[None]] = {}
        # Registrations given up on (cancelled, timed out) whose answer has not come: a late acceptance is undone.
        self._unsettled: dict[str, asyncio.Future[Any]] = {}

    async def register(self, method: str, handler: Callable[..., Any]) -> None:
        """Claims ``method`` for this process; ``handler(*arguments)`` may be sync or async. What it returns travels
        back as MessagePack; what it raises reaches the caller as a remote error (type name, message, traceback)."""
        _validate_method(method)
        client = self._client
        what = f"The method '{method}' was not registered"
        if method in self._handlers:
            # The main process would refuse it too, but that refusal must not take the first handler away.
            raise RpcError(f"{what}: it is already registered in process '{client.process_name}'.")
        self._handlers[method] = handler
        future: asyncio.Future[Any] | None = None
        try:
            async with asyncio.timeout(client.call_timeout):
                earlier = self._unsettled.get(method)
                if earlier is not None:
                    # Its Unregister (if the main process accepted it after all) must go out before this Register.
                    await asyncio.wait({earlier})
                request_id, future = client.pending(what)
                client.send_frame(wire.FrameKind.RPC_REGISTER, wire.Writer().u32(request_id).string(method).bytes())
                reply = await asyncio.shield(future)
        except BaseException as error:
            self._handlers.pop(method, None)
            if future is not None and not future.done():
                self._settle_later(method, future)
            if isinstance(error, TimeoutError):
                raise TimeoutError(f"{what}: the main process did not answer within {client.call_timeout} s.") from None
            raise
        if reply["status"] != 0:
            self._handlers.pop(method, None)
            raise RpcError(f"The method '{method}' was not registered: {reply['error']}")

    def _settle_later(self, method: str, future: asyncio.Future[Any]) -> None:
        """The caller gave up on this registration: if the main process accepts it after all, give the name back."""
        self._unsettled[method] = future

        def settled(done: asyncio.Future[Any]) -> None:
            if self._unsettled.get(method) is done:
                del self._unsettled[method]
            accepted = not done.cancelled() and done.exception() is None and done.result()["status"] == 0
            if accepted and self._client.disconnect_reason is None:
                self._client.send_frame(wire.FrameKind.RPC_UNREGISTER, wire.Writer().string(method).bytes())

        future.add_done_callback(settled)

    def method(self, name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator form of :meth:`register`, for use before the client connected: see ``Client.start``."""

        _validate_method(name)

        def decorate(handler: Callable[..., Any]) -> Callable[..., Any]:
            self._client._deferred_registrations.append((name, handler))
            return handler

        return decorate

    async def unregister(self, method: str) -> None:
        if self._handlers.pop(method, None) is not None:
            self._client.send_frame(wire.FrameKind.RPC_UNREGISTER, wire.Writer().string(method).bytes())

    async def call(self, method: str, *arguments: Any, timeout: float | None = None) -> Any:
        """Calls ``method`` wherever it is registered and returns its result. Raises RpcRemoteError (the handler
        threw), RpcMethodNotFoundError, RpcProcessExitedError, RpcError, or TimeoutError (then the call is cancelled)."""
        _validate_method(method)
        client = self._client
        packed = [types.pack(argument) for argument in arguments]
        block = wire.encode_arguments(packed)
        if len(block) > client.max_message_size:
            raise MessageTooLargeError(f"The call of '{method}' is {len(block)} bytes; the limit is {client.max_message_size}. It was not made.")
        what = f"The call of '{method}' failed"
        call_id, future = client.request(wire.FrameKind.RPC_CALL, what, "A method name",
                                         lambda call_id: (wire.Writer().u32(call_id).u8(0).u32(0).string(method).bytes(), block))
        try:
            reply = await client.wait_reply(call_id, future, client.call_timeout if timeout is None else timeout, what)
        except (TimeoutError, asyncio.CancelledError):
            if client.disconnect_reason is None:
                client.send_frame(wire.FrameKind.RPC_CANCEL, wire.Writer().u32(call_id).bytes())
            raise
        if reply["status"] != wire.RpcStatus.OK:
            raise error_from_outcome(method, reply["status"], reply["error"])
        return types.unpack(reply["result"])

    # --- invocations from the main process --------------------------------------------------------------------------

    def _on_invoke(self, fields: dict) -> None:
        invocation_id = fields["invocation_id"]
        task = self._client.loop.create_task(self._invoke(fields), name=f"firn-rpc-{fields['method']}")
        self._invocations[invocation_id] = task

    def _on_cancel(self, invocation_id: int) -> None:
        task = self._invocations.get(invocation_id)
        if task is not None:
            task.cancel()

    async def _invoke(self, fields: dict) -> None:
        try:
            await self._run_invocation(fields)
        except FirnDisconnectedError:
            pass  # the connection closed while the handler ran: there is no one left to answer
        finally:
            self._invocations.pop(fields["invocation_id"], None)

    async def _run_invocation(self, fields: dict) -> None:
        invocation_id, method = fields["invocation_id"], fields["method"]
        client = self._client
        handler = self._handlers.get(method)
        if handler is None:
            self._fail(invocation_id, wire.RpcStatus.METHOD_NOT_FOUND, "", f"No handler of '{method}' in process '{client.process_name}'.", "")
            return
        if fields["flags"] & wire.RPC_FLAG_STREAM:
            self._fail(invocation_id, wire.RpcStatus.REMOTE_ERROR, "NotSupportedError", f"'{method}' was called as a stream; the Python client does not serve streams.", "")
            return
        try:
            arguments = [types.unpack(a) for a in fields["arguments"]]
        except Exception as error:
            self._fail(invocation_id, wire.RpcStatus.INVALID_ARGUMENTS, "", f"The arguments of '{method}' do not read: {error}", "")
            return
        try:
            result = handler(*arguments)
            if inspect.isawaitable(result):
                result = await result
        except asyncio.CancelledError:
            self._fail(invocation_id, wire.RpcStatus.REMOTE_ERROR, "asyncio.CancelledError", "The call was cancelled.", "")
            return
        except TypeError as error:
            # Raised by the call itself (no frame of the handler's below this one): the arguments do not fit its
            # parameters, which is status 4 as in C#; a TypeError from inside the handler stays a remote error.
            if error.__traceback__ is not None and error.__traceback__.tb_next is None:
                self._fail(invocation_id, wire.RpcStatus.INVALID_ARGUMENTS, "", f"The arguments of '{method}' do not fit its handler in process '{client.process_name}': {error}", "")
            else:
                self._fail(invocation_id, wire.RpcStatus.REMOTE_ERROR, _type_name(error), str(error), "".join(traceback.format_exception(error)))
            return
        except Exception as error:
            self._fail(invocation_id, wire.RpcStatus.REMOTE_ERROR, _type_name(error), str(error), "".join(traceback.format_exception(error)))
            return
        try:
            payload = types.pack(result)
        except Exception as error:
            self._fail(invocation_id, wire.RpcStatus.REMOTE_ERROR, _type_name(error), f"The result of '{method}' cannot be serialized: {error}", "")
            return
        if len(payload) > client.max_message_size:
            self._fail(invocation_id, wire.RpcStatus.RESULT_TOO_LARGE, "", f"The result of '{method}' is {len(payload)} bytes; the limit is {client.max_message_size}.", "")
            return
        client.send_frame(wire.FrameKind.RPC_RESULT, wire.Writer().u32(invocation_id).u8(wire.RpcStatus.OK).bytes(), payload)

    def _fail(self, invocation_id: int, status: int, type_name: str, message: str, stack: str) -> None:
        body = (wire.Writer().u32(invocation_id).u8(status).text(_cut(self._client.process_name)).text(_cut(type_name))
                .text(_cut(message)).text(_cut(stack)).bytes())
        self._client.send_frame(wire.FrameKind.RPC_RESULT, body)


def _type_name(error: BaseException) -> str:
    cls = type(error)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
