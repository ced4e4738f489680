#!/usr/bin/env python3
"""A real gRPC client from another toolchain, checked against the HTTP API.

Generates Python stubs from proto/voterlookup/v1/voter_lookup.proto with
grpcio-tools into a temporary directory (generated code is never committed),
then, against a running voter-lookup server:

  1. lists the services through server reflection (grpcio-reflection) and
     checks that reflection describes the same methods as the proto file;
  2. checks health (grpcio-health-checking): SERVING, overall and for the
     service;
  3. calls every RPC (ListStations, GetVoter, Search with several queries,
     and requests that must fail) and fetches the same from the HTTP API,
     comparing field by field; an error must have the HTTP status and gRPC
     code that README.md's table gives for its `code`.

Prints one summary line and exits 0, or lists every mismatch and exits 1.
Run by tests/python_client.rs; by hand:

    python3 tests/python/client.py --grpc 127.0.0.1:50051 --http 127.0.0.1:8080
"""

import argparse
import importlib
import json
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROTO_ROOT = REPO / "proto"
PROTO_FILE = "voterlookup/v1/voter_lookup.proto"
SERVICE = "voterlookup.v1.VoterLookup"
HEALTH_SERVICE = "grpc.health.v1.Health"
INSTALL_HINT = "run `python3 -m pip install -r tests/python/requirements.txt`"

try:
    import grpc
    import grpc_tools
    from grpc_tools import protoc
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
        ProtoReflectionDescriptorDatabase,
    )
    from google.protobuf.descriptor_pool import DescriptorPool
except ImportError as error:
    print(f"missing Python package ({error}): {INSTALL_HINT}", file=sys.stderr)
    sys.exit(2)


def readme_errors():
    """README.md's table of errors: JSON `code` -> (HTTP status, gRPC code)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Errors", 1)[1].split("\n## ", 1)[0]
    table = {}
    for line in section.splitlines():
        if not line.startswith("| `") or line.startswith("| `code`"):
            continue
        cells = [cell.strip().strip("`") for cell in line.split("|")]
        table[cells[1]] = (int(cells[3]), cells[4])
    if not table:
        raise SystemExit("README.md: no table of errors under `## Errors`")
    return table


class Mismatches:
    """Collects every difference instead of stopping at the first."""

    def __init__(self):
        self.found = []

    def add(self, what, detail):
        self.found.append(f"{what}: {detail}")

    def compare(self, what, grpc_value, http_value):
        """Compares two values shaped like the JSON, field by field."""
        if isinstance(grpc_value, dict) and isinstance(http_value, dict):
            for key in sorted(set(grpc_value) | set(http_value)):
                if key not in http_value:
                    self.add(f"{what}.{key}", "missing from the HTTP answer")
                elif key not in grpc_value:
                    self.add(f"{what}.{key}", "missing from the gRPC answer")
                else:
                    self.compare(f"{what}.{key}", grpc_value[key], http_value[key])
        elif isinstance(grpc_value, list) and isinstance(http_value, list):
            if len(grpc_value) != len(http_value):
                self.add(what, f"gRPC has {len(grpc_value)} items, HTTP {len(http_value)}")
            for i, (g, h) in enumerate(zip(grpc_value, http_value)):
                self.compare(f"{what}[{i}]", g, h)
        elif type(grpc_value) is not type(http_value) or grpc_value != http_value:
            self.add(what, f"gRPC {grpc_value!r} != HTTP {http_value!r}")


def generate_stubs(out_dir):
    """Compiles the proto into `out_dir` and imports the generated modules."""
    include = Path(grpc_tools.__file__).parent / "_proto"
    status = protoc.main(
        [
            "grpc_tools.protoc",
            f"-I{PROTO_ROOT}",
            f"-I{include}",
            f"--python_out={out_dir}",
            f"--grpc_python_out={out_dir}",
            PROTO_FILE,
        ]
    )
    if status != 0:
        raise SystemExit(f"grpc_tools.protoc failed on {PROTO_FILE} (exit {status})")
    sys.path.insert(0, str(out_dir))
    messages = importlib.import_module("voterlookup.v1.voter_lookup_pb2")
    services = importlib.import_module("voterlookup.v1.voter_lookup_pb2_grpc")
    return messages, services


def optional(message, field):
    """A proto3 `optional` field: its value, or None when absent."""
    return getattr(message, field) if message.HasField(field) else None


def station_json(station):
    body = {
        "code": station.code,
        "label": station.label,
        "address": optional(station, "address"),
    }
    # The JSON leaves the commune out when the roll names none.
    for field in ("commune", "commune_name"):
        if station.HasField(field):
            body[field] = getattr(station, field)
    return body


def result_json(result):
    """A gRPC SearchResult written as the HTTP door's JSON."""
    voter = result.voter
    return {
        "voter": {
            "birth_name": voter.birth_name,
            "usage_name": optional(voter, "usage_name"),
            "first_names": voter.first_names,
            "sex": optional(voter, "sex"),
            "birth_date": optional(voter, "birth_date"),
            "list": voter.list,
        },
        "station": station_json(result.station) if result.HasField("station") else None,
        "order_number": optional(result, "order_number"),
        "score": result.score,
        # `match` is a Python keyword: the generated field keeps the name.
        "match": [
            {"token": m.token, "field": m.field, "kind": m.kind, "matched": m.matched}
            for m in getattr(result, "match")
        ],
        "confidence": result.confidence,
        "memberships": [
            {
                "list": m.list,
                "station": station_json(m.station) if m.HasField("station") else None,
                "order_number": optional(m, "order_number"),
            }
            for m in result.memberships
        ],
    }


def search_json(response):
    return {
        "results": [result_json(r) for r in response.results],
        "view": response.view,
        "index_version": response.index_version,
        "degraded": response.degraded,
        "ambiguous": response.ambiguous,
        "confidence": response.confidence,
    }


class Client:
    def __init__(self, grpc_target, http_target, timeout):
        self.http_base = f"http://{http_target}"
        self.timeout = timeout
        # Loopback only: no proxy from the environment, on either door.
        self.channel = grpc.insecure_channel(grpc_target, options=[("grpc.enable_http_proxy", 0)])
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self.errors = readme_errors()

    def http(self, path):
        """GET `path`: (status, parsed JSON body)."""
        try:
            with self.opener.open(self.http_base + path, timeout=self.timeout) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)


def methods(service):
    return {m.name: (m.input_type.full_name, m.output_type.full_name) for m in service.methods}


def check_reflection(client, messages, mismatches):
    """Services listed by reflection; each service of the proto file is
    described by reflection with the same methods."""
    database = ProtoReflectionDescriptorDatabase(client.channel)
    services = set(database.get_services())
    for wanted in (SERVICE, HEALTH_SERVICE):
        if wanted not in services:
            mismatches.add("reflection", f"{wanted} not listed: {sorted(services)}")
    pool = DescriptorPool(database)
    for from_proto in messages.DESCRIPTOR.services_by_name.values():
        name = from_proto.full_name
        if name not in services:
            mismatches.add("reflection", f"{name} (in the proto file) not listed")
            continue
        described = pool.FindServiceByName(name)
        mismatches.compare(f"reflection of {name}", methods(described), methods(from_proto))
    health = pool.FindServiceByName(HEALTH_SERVICE)
    if "Check" not in methods(health):
        mismatches.add("reflection", f"{HEALTH_SERVICE} has no Check")
    return services


def check_health(client, mismatches):
    stub = health_pb2_grpc.HealthStub(client.channel)
    serving = health_pb2.HealthCheckResponse.SERVING
    for service in ("", SERVICE):
        status = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=client.timeout).status
        if status != serving:
            name = health_pb2.HealthCheckResponse.ServingStatus.Name(status)
            mismatches.add(f"health {service!r}", f"{name}, expected SERVING")


def compare_call(client, mismatches, what, call, to_json, path):
    """Calls gRPC and HTTP; compares the answers, or the errors' kinds.

    Returns the HTTP body when both doors answered."""
    status, body = client.http(path)
    try:
        reply = call(timeout=client.timeout)
    except grpc.RpcError as error:
        code = error.code().name
        if status == 200:
            mismatches.add(what, f"gRPC refused ({code}: {error.details()}), HTTP answered")
            return None
        json_code = body.get("error", {}).get("code")
        expected = client.errors.get(json_code)
        if expected is None:
            mismatches.add(what, f"HTTP error code {json_code!r} is not in README.md's table")
        elif expected != (status, code):
            mismatches.add(what, f"HTTP {status} {json_code!r} vs gRPC {code}; the table says {expected}")
        return None
    if status != 200:
        mismatches.add(what, f"HTTP refused ({status}: {body}), gRPC answered")
        return None
    mismatches.compare(what, to_json(reply), body)
    return body


def run(args):
    mismatches = Mismatches()
    with tempfile.TemporaryDirectory(prefix="voterlookup-stubs-") as stubs:
        messages, services = generate_stubs(stubs)
        client = Client(args.grpc, args.http, args.timeout)
        stub = services.VoterLookupStub(client.channel)
        counts = {"Search": 0, "GetVoter": 0, "ListStations": 0, "errors": 0}

        listed = check_reflection(client, messages, mismatches)
        check_health(client, mismatches)

        stations = compare_call(
            client,
            mismatches,
            "ListStations",
            lambda timeout: stub.ListStations(messages.ListStationsRequest(), timeout=timeout),
            lambda reply: {
                "stations": [
                    {**station_json(s), "voter_count": s.voter_count} for s in reply.stations
                ],
                "index_version": reply.index_version,
            },
            "/v1/stations",
        )
        counts["ListStations"] += 1
        if not stations or not stations["stations"]:
            mismatches.add("ListStations", "no station to look voters up in")
            stations = {"stations": []}

        # The first lines of a few stations' signing sheets: voters to find.
        voters = []
        for station in stations["stations"][:3]:
            for order in (1, 2, 3):
                body = compare_call(
                    client,
                    mismatches,
                    f"GetVoter {station['code']}/{order}",
                    lambda timeout, code=station["code"], order=order: stub.GetVoter(
                        messages.GetVoterRequest(station=code, order=order), timeout=timeout
                    ),
                    lambda reply: {
                        "voters": [result_json(r) for r in reply.voters],
                        "index_version": reply.index_version,
                    },
                    f"/v1/voters/{urllib.parse.quote(station['code'])}/{order}",
                )
                counts["GetVoter"] += 1
                if body:
                    voters.extend(body["voters"])

        # What desks and kiosks type, made from those voters.
        # (text, birth date, limit, whether a refusal is a failure)
        searches = [("MARTIN", "", 0, True), ("mar an", "", 0, False), ("XQZWYK Vbnrt", "", 0, True)]
        for voter in voters[:6]:
            surname = voter["voter"]["birth_name"]
            given = (voter["voter"]["first_names"].split() or [""])[0]
            date = voter["voter"]["birth_date"] or ""
            if len(date) not in (4, 10):
                date = ""  # a year and month only is no query date
            searches += [
                (f"{surname} {given}", date, 0, bool(surname.strip())),
                (f"{given.lower()} {surname.lower()}", "", 5, False),
                (f"{surname[:3]} {given[:2]}", "", 50, False),
            ]
        for q, birth_date, limit, must_answer in searches:
            query = {"q": q}
            if birth_date:
                query["birth_date"] = birth_date
            if limit:
                query["limit"] = limit
            body = compare_call(
                client,
                mismatches,
                f"Search {q!r} {birth_date!r} limit {limit}",
                lambda timeout, q=q, birth_date=birth_date, limit=limit: stub.Search(
                    messages.SearchRequest(q=q, birth_date=birth_date, limit=limit), timeout=timeout
                ),
                search_json,
                "/v1/search?" + urllib.parse.urlencode(query),
            )
            counts["Search"] += 1
            if body is None and must_answer:
                mismatches.add(f"Search {q!r}", "refused")

        # Refusals: the same kind on both doors.
        refusals = [
            ("Search limit 80", lambda timeout: stub.Search(messages.SearchRequest(q="MARTIN", limit=80), timeout=timeout), "/v1/search?q=MARTIN&limit=80"),
            ("Search bad date", lambda timeout: stub.Search(messages.SearchRequest(q="MARTIN", birth_date="1962-13-01"), timeout=timeout), "/v1/search?q=MARTIN&birth_date=1962-13-01"),
            ("Search no name", lambda timeout: stub.Search(messages.SearchRequest(q=""), timeout=timeout), "/v1/search?q="),
            ("GetVoter missing", lambda timeout: stub.GetVoter(messages.GetVoterRequest(station="0001", order=999999), timeout=timeout), "/v1/voters/0001/999999"),
            ("GetVoter order 0", lambda timeout: stub.GetVoter(messages.GetVoterRequest(station="0001", order=0), timeout=timeout), "/v1/voters/0001/0"),
        ]
        for what, call, path in refusals:
            if compare_call(client, mismatches, what, call, lambda reply: {}, path) is not None:
                mismatches.add(what, "answered, expected a refusal")
            counts["errors"] += 1
        client.channel.close()

    if mismatches.found:
        for mismatch in mismatches.found:
            print(f"MISMATCH {mismatch}")
        print(f"python client: {len(mismatches.found)} mismatches")
        return 1
    print(
        f"python client: {len(listed)} services by reflection, health SERVING, "
        f"{counts['Search']} Search, {counts['GetVoter']} GetVoter, "
        f"{counts['ListStations']} ListStations, {counts['errors']} refusals: "
        "gRPC and HTTP agree field by field"
    )
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grpc", required=True, help="HOST:PORT of the gRPC door")
    parser.add_argument("--http", required=True, help="HOST:PORT of the HTTP door")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per call")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
