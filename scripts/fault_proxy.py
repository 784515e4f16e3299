#!/usr/bin/python3
"""fault_proxy.py LISTEN_PORT UPSTREAM_HOST:PORT RESET_PERCENT SEED

A TCP proxy on 127.0.0.1 for the S3 fault sweep (scripts/fault_sweep.sh): it forwards each
connection to the upstream server, and for RESET_PERCENT % of the connections it resets
both sides (RST, as a dropped connection looks to a client) after a random number of
bytes in one direction: sometimes before the request has reached the server, sometimes
after the server has acted on it but before the client has read the answer. That is the
case that matters for a commit: the request may have taken effect although the client
saw an error. Prints "listening" once ready; stops on SIGTERM. Standard library only."""
import asyncio
import random
import signal
import socket
import struct
import sys


def reset(writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


async def pipe(reader, writer, budget, on_exhausted):
    """Copies reader to writer; after `budget` bytes (None: unlimited) calls on_exhausted."""
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            if budget is not None:
                if len(data) >= budget:
                    writer.write(data[:budget])
                    await writer.drain()
                    on_exhausted()
                    return
                budget -= len(data)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


async def handle(client_reader, client_writer, upstream, percent, rng):
    host, port = upstream
    try:
        server_reader, server_writer = await asyncio.open_connection(host, port)
    except OSError:
        reset(client_writer)
        return
    up_budget = down_budget = None
    if rng.random() * 100 < percent:
        if rng.random() < 0.5:
            up_budget = rng.randint(0, 2048)  # cut the request
        else:
            down_budget = rng.randint(0, 512)  # cut the answer after the server acted

    def kill_both():
        print("reset", flush=True)
        reset(client_writer)
        reset(server_writer)

    await asyncio.gather(
        pipe(client_reader, server_writer, up_budget, kill_both),
        pipe(server_reader, client_writer, down_budget, kill_both),
    )


async def main():
    listen_port = int(sys.argv[1])
    host, port = sys.argv[2].rsplit(":", 1)
    percent = float(sys.argv[3])
    rng = random.Random(int(sys.argv[4]))
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, (host, int(port)), percent, rng), "127.0.0.1", listen_port)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("listening", flush=True)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
