#!/usr/bin/env python3
"""One hostile client holding the server's doors open, for a bounded time.

Opens one HTTP/2 connection to the gRPC door with STREAMS `Search` streams,
each sent its headers and the start of a message but never the end of the
stream (a stalled or buggy kiosk), and IDLE plain TCP connections to the HTTP
door that send nothing (or half a request line with --half). Everything is
held for --seconds, then closed. Run it beside `loadtest run` to see what a
staff client gets while the attack lasts (BENCHMARKS.md, issue 18).

Needs the `h2` package (PyPI). Written from the HTTP/2 framing of RFC 9113
and gRPC's length-prefixed messages; no gRPC library is used on purpose, so
that nothing finishes a stream for us.
"""

import argparse
import socket
import sys
import time

import h2.config
import h2.connection


def stalled_grpc_streams(host, port, streams):
    sock = socket.create_connection((host, port))
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    opened = 0
    for _ in range(streams):
        stream_id = conn.get_next_available_stream_id()
        try:
            conn.send_headers(
                stream_id,
                [
                    (":method", "POST"),
                    (":scheme", "http"),
                    (":path", "/voterlookup.v1.VoterLookup/Search"),
                    (":authority", f"{host}:{port}"),
                    ("content-type", "application/grpc"),
                    ("te", "trailers"),
                ],
            )
            # A message header announcing 64 bytes, followed by only 3.
            conn.send_data(stream_id, b"\x00\x00\x00\x00\x40" + b"\x0a\x01M")
        except Exception as error:  # the peer's stream cap, for instance
            print(f"hold_open: stream {opened + 1} refused: {error}", file=sys.stderr)
            break
        opened += 1
    sock.sendall(conn.data_to_send())
    return sock, conn, opened


def idle_connections(host, port, count, half):
    held = []
    for i in range(count):
        try:
            sock = socket.create_connection((host, port), timeout=5)
            if half:
                sock.sendall(b"GET /v1/search?q=MARTIN HTTP/1.1\r\nHost: x\r\n")
            held.append(sock)
        except OSError as error:
            print(f"hold_open: idle connection {i + 1} refused: {error}", file=sys.stderr)
            break
    return held


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grpc", default="127.0.0.1:50051")
    parser.add_argument("--http", default="127.0.0.1:8080")
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--half", action="store_true", help="send half a request on each idle connection")
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()

    ghost, gport = args.grpc.rsplit(":", 1)
    hhost, hport = args.http.rsplit(":", 1)
    sock, conn, opened = stalled_grpc_streams(ghost, int(gport), args.streams)
    held = idle_connections(hhost, int(hport), args.idle, args.half)
    print(f"hold_open: {opened} stalled gRPC streams, {len(held)} idle HTTP connections", flush=True)
    deadline = time.monotonic() + args.seconds
    sock.settimeout(1.0)
    while time.monotonic() < deadline:
        # Answer the server's pings and settings so the connection stays up:
        # a stalled client is still a live one.
        try:
            data = sock.recv(65536)
            if not data:
                print("hold_open: the server closed the gRPC connection", flush=True)
                break
            conn.receive_data(data)
            sock.sendall(conn.data_to_send())
        except socket.timeout:
            pass
        except Exception as error:
            print(f"hold_open: gRPC connection ended: {error}", flush=True)
            break
    still_open = 0
    for s in held:
        try:
            s.setblocking(False)
            if s.recv(1) == b"":
                continue
        except BlockingIOError:
            still_open += 1
        except OSError:
            continue
        finally:
            s.close()
    sock.close()
    print(f"hold_open: done; {still_open} of {len(held)} idle connections were still open at the end")


if __name__ == "__main__":
    main()
