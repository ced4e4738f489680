#!/usr/bin/env python3
"""The newcomer's path, as CI walks it.

Runs the first command of README.md's first ```sh block exactly as written
(it is read from the README, never copied here, so the two cannot drift),
waits for the demo to say it is ready, then runs the example lookup the demo
prints over both doors: HTTP with urllib and gRPC with the Python client that
tests/python generates from the proto. Each answer must name the voter the
demo announced, in the station and at the order number it announced. The
README's own example lines must be the ones the demo prints. Finally the
server is stopped with Ctrl-C (SIGINT) and must exit cleanly.
"""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A release build from scratch takes several minutes on two cores.
READY_TIMEOUT_S = 45 * 60


def fail(message):
    print(f"newcomer: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def readme_first_command(readme):
    block = re.search(r"```sh\n(.*?)```", readme, re.S)
    if not block:
        fail("README.md has no ```sh block")
    for line in block.group(1).splitlines():
        command = line.split("#", 1)[0].strip()
        if command:
            return command
    fail("README.md's first ```sh block holds no command")


class Demo:
    """The demo process, its printed lines collected by a reader thread."""

    def __init__(self, command):
        self.lines = []
        self.done = False
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(
            ["bash", "-c", command],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            sys.stdout.write("  | " + line)
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.done = True
            self.cond.notify_all()

    def wait_for(self, pattern, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines:
                    found = re.search(pattern, line)
                    if found:
                        return found
                if self.done:
                    fail(f"the demo exited ({self.proc.wait()}) before printing /{pattern}/")
                left = deadline - time.monotonic()
                if left <= 0:
                    fail(f"the demo did not print /{pattern}/ within {timeout} s")
                self.cond.wait(min(left, 1.0))

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
        try:
            return self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            fail("the demo did not stop within 60 s of Ctrl-C")


def check_voter(door, result, announced):
    voter = result["voter"]
    surname = announced["query"].split()[0]
    names = {voter.get("birth_name") or "", voter.get("usage_name") or ""}
    if surname not in names:
        fail(f"{door}: first result is {names}, not the announced {surname}")
    station = (result.get("station") or {}).get("code")
    if station != announced["station"] or result.get("order_number") != announced["order"]:
        fail(
            f"{door}: first result is in station {station} at order {result.get('order_number')}, "
            f"announced {announced['station']} / {announced['order']}"
        )
    print(f"newcomer: {door} found {surname} in station {station}, order {announced['order']}")


def main():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = readme_first_command(readme)
    print(f"newcomer: running the README's first command: {command}")
    demo = Demo(command)
    try:
        demo.wait_for(r"^ready: ", READY_TIMEOUT_S)
        announced_match = demo.wait_for(
            r"this voter is (.+), in station (\S+), order number (\d+)\)", 30
        )
        curl = demo.wait_for(r"^\s+curl '(http://[^/]+)(/v1/search\?[^']*)'", 30)
        grpc = demo.wait_for(r"^\s+grpcurl -plaintext -d '(\{.*\})' (\S+) (\S+)$", 30)
        announced = {
            "query": announced_match.group(1),
            "station": announced_match.group(2),
            "order": int(announced_match.group(3)),
        }

        # The README must show what the demo prints, not an older example.
        if curl.group(2) not in readme:
            fail(f"README.md does not show the demo's example {curl.group(2)!r}")
        grpc_body = json.loads(grpc.group(1))
        if announced["query"] not in readme or grpc_body.get("birth_date", "") not in readme:
            fail("README.md does not show the demo's gRPC example")

        with urllib.request.urlopen(curl.group(1) + curl.group(2), timeout=30) as answer:
            body = json.load(answer)
        if not body.get("results"):
            fail(f"HTTP: no result for the demo's example: {body}")
        check_voter("HTTP", body["results"][0], announced)

        sys.path.insert(0, str(ROOT / "tests" / "python"))
        import grpc as grpclib  # noqa: E402  (installed by .ci/run)
        from client import generate_stubs  # noqa: E402

        with tempfile.TemporaryDirectory() as stubs:
            messages, services = generate_stubs(stubs)
            with grpclib.insecure_channel(grpc.group(2)) as channel:
                stub = services.VoterLookupStub(channel)
                request = messages.SearchRequest(q=grpc_body["q"])
                if grpc_body.get("birth_date"):
                    request.birth_date = grpc_body["birth_date"]
                reply = stub.Search(request, timeout=30)
        if not reply.results:
            fail("gRPC: no result for the demo's example")
        first = reply.results[0]
        check_voter(
            "gRPC",
            {
                "voter": {
                    "birth_name": first.voter.birth_name,
                    "usage_name": first.voter.usage_name if first.voter.HasField("usage_name") else None,
                },
                "station": {"code": first.station.code} if first.HasField("station") else None,
                "order_number": first.order_number if first.HasField("order_number") else None,
            },
            announced,
        )
    finally:
        code = demo.stop()
    if code != 0:
        fail(f"the demo exited with {code} after Ctrl-C")
    print("newcomer: ok")


if __name__ == "__main__":
    main()
