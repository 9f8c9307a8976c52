"""The python-pipe peer: multiprocessing.Pipe with the spawn start method, as LiteyukiBot's channels use it.

  python3 python_pipe.py thr WARM COUNT   child -> parent, COUNT timed messages after WARM untimed ones
  python3 python_pipe.py lat WARM COUNT   parent -> child -> parent ping-pong, per-round-trip times

The message is the benchmark's 64-character string. Prints one JSON line of figures. Standard library only.
"""
import json
import math
import multiprocessing as mp
import sys
import time

MESSAGE = "0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789ABCDEF"


def sender(conn, total):
    send = conn.send
    for _ in range(total):
        send(MESSAGE)
    conn.close()


def echo(conn):
    recv, send = conn.recv, conn.send
    try:
        while True:
            send(recv())
    except EOFError:
        pass


def throughput(warm, count):
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=sender, args=(child, warm + count), daemon=True)
    process.start()
    child.close()
    recv = parent.recv
    if recv() != MESSAGE:
        raise SystemExit("unexpected message")
    for _ in range(warm - 1):
        recv()
    start = time.perf_counter()
    for _ in range(count):
        recv()
    elapsed = time.perf_counter() - start
    process.join()
    return {"msgs_per_s": count / elapsed, "mb_per_s": count * len(MESSAGE) / elapsed / 1e6}


def latency(warm, count):
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=echo, args=(child,), daemon=True)
    process.start()
    child.close()
    send, recv = parent.send, parent.recv
    for _ in range(warm):
        send(MESSAGE)
        recv()
    clock = time.perf_counter_ns
    ticks = [0] * count
    for i in range(count):
        start = clock()
        send(MESSAGE)
        recv()
        ticks[i] = clock() - start
    parent.close()
    process.join()
    ticks.sort()

    def percentile(p):
        return ticks[max(0, math.ceil(p / 100 * len(ticks)) - 1)] / 1000

    return {"p50_us": percentile(50), "p99_us": percentile(99), "mean_us": sum(ticks) / len(ticks) / 1000}


if __name__ == "__main__":
    mode, warm, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    figures = throughput(warm, count) if mode == "thr" else latency(warm, count)
    print(json.dumps(figures), flush=True)
