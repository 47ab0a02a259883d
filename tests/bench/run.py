#!/usr/bin/env python3
"""`make bench`: the performance figures of BENCHMARKS.md, as a table and as <target>/bench/results.json
(<target>: CARGO_TARGET_DIR, else target/).

1. micro      criterion benches of stytch-unit-common (JWT verification, problem+json, JSON:API);
   instructions  instructions per call under valgrind's callgrind (repeatable anywhere) of JWT
              verification, problem+json, JSON:API decoding, the POST /token route in-process (the
              sandbox's share subtracted), and one token-exchange cold start up to its first response;
              `--check` compares them with tests/bench/instructions-baseline.json (`make bench-check`),
              `--update-baseline` rewrites it (`make bench-baseline`);
   trust-store  instructions to read the system's roots: ours against rustls-native-certs (reqwest's
              default), rustls-pki-types, the pem crate and webpki-roots (shared/benches/trust_store.rs);
2. warm       warm overhead of POST /token and GET /cards (functions/cards/benches/warm_overhead.rs);
   runtime    the same two routes end to end through the runtime API: the release functions behind the
              stub runtime API written here, credentials built through the local stack (`demo fill`),
              invocation handed out -> response posted, one kept-alive connection checked;
3. cold       each function's release binary started against the stub runtime API: process start ->
              first response (a health invoke), with moto (Secrets Manager) and the sandbox (Stytch +
              Unit, zero added latency) as upstreams; median and p90 over --runs, in wall time and in
              the process's CPU time (schedstat: no wait of any kind); the phases of main as the
              function logs them (`cold start phases`); the certificate files one start opens (strace);
              and the floor under it all: each start paired with one of a function that does nothing
              of its own (lambda-floor, tests/bench/secrets-path), the difference being ours;
4. memory     peak RSS (VmHWM) of each function after its cold start and a warm run of --warm-invokes
              invocations (health, and a route that calls out: an unverifiable session on token routes,
              a customer token Unit refuses on /cards);
5. size       each function's native release binary and, for every architecture built with
              `--lambda-build arm64,x86_64` (a full cross build each, minutes), its bootstrap and zip
              (kept under <target>/bench/zips/<arch>/);
6. secrets    what the official AWS SDK costs: five small programs (tests/bench/secrets-path) with
              the functions' baseline that read a secret not at all, through the SDK (its own HTTP
              client, the program's reqwest client as the functions do, or without aws-config), or
              with one SigV4-signed request; their sizes and process times against moto;
              and how long a process waits for its first randomness from aws-lc;
7. bloat      (opt-in: --only bloat) `cargo bloat --crates` of each function: where the code comes from;
   profile    (opt-in: --only profile) one token-exchange cold start of the `profiling` build (release,
              symbols kept) under callgrind: the functions with the most instructions, inclusive.

Only the standard library and boto3 (installed with moto into .venv) are used.
Usage: python3 tests/bench/run.py [--only micro,instructions,trust-store,warm,runtime,cold,size,secrets,bloat,profile] [--runs 10]
       [--lambda-build arm64,x86_64] [--check [--margin 10] | --update-baseline] [--paths cold_start_token_exchange,...]
"""

import argparse
import http.server
import io
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from datetime import datetime, timezone

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VENV_BIN = os.path.join(ROOT, ".venv", "bin")
# cargo's target directory: CARGO_TARGET_DIR when set (several checkouts sharing a machine), else target/.
TARGET = os.path.abspath(os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target"))
RELEASE = os.path.join(TARGET, "release")
OUT_DIR = os.path.join(TARGET, "bench")
ZIPS_DIR = os.path.join(OUT_DIR, "zips")
FUNCTIONS = ["signup", "step-up", "token-exchange", "cards", "webhooks"]
# A function that does nothing of its own (tests/bench/secrets-path/src/bin/lambda-floor.rs): the same
# runtime, Lambda client and router, started by the same harness. What it costs is in every cold figure.
FLOOR = "lambda-floor"
SANDBOX_KEYS = ["STYTCH_URL", "UNIT_URL", "STYTCH_PROJECT_ID", "STYTCH_SECRET", "UNIT_API_TOKEN", "UNIT_WEBHOOK_SECRET"]
NICE = ["nice", "-n", "19"]


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run(cmd, **kwargs):
    log("$ " + " ".join(cmd))
    return subprocess.run(cmd, cwd=ROOT, check=True, **kwargs)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[round(p / 100 * (len(ordered) - 1))]


# --- micro ---------------------------------------------------------------------------------------

UNITS = {"ps": 1e-6, "ns": 1e-3, "µs": 1.0, "us": 1.0, "ms": 1e3, "s": 1e6}


def micro():
    out = run(
        NICE + ["cargo", "bench", "-p", "stytch-unit-common", "--bench", "verify_session_jwt", "--bench", "problem_json", "--bench", "jsonapi", "--", "--warm-up-time", "1", "--measurement-time", "3"],
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    results, name = {}, None
    for line in out.splitlines():
        m = re.match(r"^(\S.*?)?\s+time:\s+\[(\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\]", line)
        if m:
            name = (m.group(1) or name or "?").strip()
            results[name] = {"low_us": float(m.group(2)) * UNITS[m.group(3)],
                             "estimate_us": float(m.group(4)) * UNITS[m.group(5)],
                             "high_us": float(m.group(6)) * UNITS[m.group(7)]}
        elif line and not line.startswith(" ") and "time:" not in line and not line.startswith(("Benchmarking", "Found", "Gnuplot", "Warning")):
            name = line.strip()
    return results


# --- instructions --------------------------------------------------------------------------------


# What `instructions` counts, per call, each from a bench binary run with CALLGRIND_ITERATIONS at two
# values (set-up subtracted): path -> (package, bench, iterations, what one call is).
COUNTED_BENCHES = {
    "verify_session_jwt": ("stytch-unit-common", "verify_session_jwt", (10, 1010), "one RS256 session-JWT verification, key cached"),
    "problem_json": ("stytch-unit-common", "problem_json", (10, 1010), "three ApiErrors mapped to problem+json and serialized"),
    "jsonapi_decode_card_list": ("stytch-unit-common", "jsonapi", (10, 1010), "a 10-card JSON:API list decoded"),
    "post_token_route": ("cards", "warm_overhead", (10, 60), "POST /token in-process, minus the same upstream calls made directly"),
}
# Counted only while the measured calls are polled (functions/cards/benches/callgrind/mod.rs): the set-up
# waits on moto and the in-process sandbox serves both runs, and counted whole the same build scattered
# from 4.6 M to 39.6 M instructions per call (BENCHMARKS.md, Regression check).
COLLECTED_BY_THE_BENCH = {"post_token_route"}
COUNTABLE_PATHS = [*COUNTED_BENCHES, "cold_start_token_exchange"]
GUARDED_PATHS = COUNTABLE_PATHS
BASELINE = os.path.join(ROOT, "tests", "bench", "instructions-baseline.json")


def callgrind(cmd, env=None, options=(), **popen):
    """`cmd` started under callgrind, which counts the instructions of all its threads (`options`,
    e.g. --collect-atstart=no, narrow that); `collected` reads the count from its stderr."""
    proc = subprocess.Popen(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *options, *cmd],
                            env=env, stderr=subprocess.PIPE, text=True, **popen)
    return proc


def collected(stderr):
    found = re.search(r"Collected : (\d+)", stderr)
    if not found:
        raise SystemExit(f"callgrind printed no count: {stderr[-2000:]}")
    return int(found.group(1))


def bench_binary(package, bench):
    out = run(NICE + ["cargo", "bench", "--no-run", "--message-format=json", "-p", package, "--bench", bench],
              stdout=subprocess.PIPE, text=True).stdout
    messages = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return next(m["executable"] for m in messages if m.get("executable") and m.get("target", {}).get("name") == bench)


def per_call(binary, iterations, extra_env=None, options=()):
    counts = []
    for n in iterations:
        env = dict(os.environ, CALLGRIND_ITERATIONS=str(n), **(extra_env or {}))
        env.setdefault("MOTO_SERVER", os.path.join(VENV_BIN, "moto_server"))
        proc = callgrind([binary], env=env, options=options)
        _, stderr = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"{binary} failed under callgrind: {stderr[-2000:]}")
        counts.append(collected(stderr))
        if counts[-1] == 0:
            raise SystemExit(f"{binary} collected nothing: the bench's callgrind requests are not built for this CPU")
    log(f"{os.path.basename(binary)} {extra_env or ''}: {counts[0]:,} and {counts[1]:,} instructions for {iterations} calls")
    return (counts[1] - counts[0]) / (iterations[1] - iterations[0])


def cold_instructions(function="token-exchange", profile="release", runs=2, out_file=None):
    """Instructions of one cold start of `function`'s `profile` binary, process start to its first
    response (a health invoke), against moto and the sandbox: the stub runtime API then closes and
    the process exits, so callgrind's total is the cold start alone. Waiting costs no instructions,
    so upstream latency does not enter the figure. `out_file`: callgrind's profile is kept there."""
    run(NICE + ["cargo", "build", "--profile", profile, "-p", function])
    with Upstreams() as upstreams:
        counts = []
        for _ in range(runs):  # the same figure twice shows how repeatable it is
            stub = StubRuntime([api_gateway_event("GET", f"/health/{function}")])
            options = [f"--callgrind-out-file={out_file}"] if out_file else []
            proc = callgrind([os.path.join(TARGET, profile, function)], env=upstreams.environment(stub.address),
                             options=options, stdout=subprocess.DEVNULL)
            if not stub.done.wait(300):
                proc.kill()
                raise SystemExit(f"{function}: no answer under callgrind within 300 s")
            stub.close()
            _, stderr = proc.communicate(timeout=120)
            if '"statusCode":200' not in stub.responses[0][2].decode().replace(" ", ""):
                raise SystemExit(f"{function}: the health invoke failed under callgrind: {stub.responses[0]}")
            counts.append(collected(stderr))
    log(f"cold start of {function} under callgrind: {counts}")
    return {"instructions_per_call": statistics.mean(counts), "runs": counts}


def instructions(paths):
    """Instructions per call of each counted path in `paths` (a cold start included), by callgrind:
    unlike time on a shared machine, the same run after run, so two builds or two commits compare
    exactly."""
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind not found: instruction counts need it (apt-get install valgrind)")
    results = {}
    for path, (package, bench, iterations, what) in COUNTED_BENCHES.items():
        if path not in paths:
            continue
        binary = bench_binary(package, bench)
        options = ["--collect-atstart=no"] if path in COLLECTED_BY_THE_BENCH else []
        figure = per_call(binary, iterations, options=options)
        if bench == "warm_overhead":
            figure -= per_call(binary, iterations, {"CALLGRIND_DIRECT": "1"}, options)
        results[path] = {"instructions_per_call": figure, "what": what}
        log(f"{path}: {figure:,.0f} instructions per call")
    if "cold_start_token_exchange" in paths:
        results["cold_start_token_exchange"] = {**cold_instructions(), "what": "token-exchange, process start to its first response"}
    return results


def cold_profile(function="token-exchange", top=40):
    """Where a cold start's instructions go, by function: one cold start of the `profiling` build (the
    release profile with its symbols kept) under callgrind, and the `top` functions by inclusive
    count (callgrind_annotate). The whole profile stays in <target>/bench/ for callgrind_annotate."""
    out_file = os.path.join(OUT_DIR, f"callgrind.cold-start.{function}.out")
    counted = cold_instructions(function, profile="profiling", runs=1, out_file=out_file)
    report = subprocess.run(["callgrind_annotate", "--inclusive=yes", out_file], capture_output=True, text=True,
                            check=True).stdout
    functions = []
    for line in report.splitlines():
        found = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(?:[^:\s]*:(?!:))?(.+?)(?: \[.*\])?$", line)
        if found and "PROGRAM TOTALS" not in line:
            functions.append((found.group(2), int(found.group(1).replace(",", ""))))
    log(f"profile kept in {os.path.relpath(out_file, ROOT)}")
    return {"instructions": counted["instructions_per_call"], "profile_file": out_file,
            "top_inclusive": dict(functions[:top])}


TRUST_STORE_READERS = ["ours", "rustls-native-certs", "rustls-pki-types", "pem", "webpki-roots"]


def trust_store():
    """Instructions to read the system's roots, ours against the readers we did not take
    (shared/benches/trust_store.rs); the bundle is this machine's (or SSL_CERT_FILE)."""
    binary = bench_binary("stytch-unit-common", "trust_store")
    results = {}
    for reader in TRUST_STORE_READERS:
        results[reader] = per_call(binary, (1, 3), {"TRUST_STORE_READER": reader})
        log(f"trust store read by {reader}: {results[reader]:,.0f} instructions")
    return results


def check(results, margin):
    """Compares the counts with the committed baseline: fails when a path grew by more than `margin` %."""
    with open(BASELINE) as f:
        baseline = json.load(f)["instructions_per_call"]
    failed = []
    print(f"{'path':<28} {'baseline':>14} {'now':>14} {'change':>8}")
    for path, before in baseline.items():
        if path not in results:
            continue  # not counted in this run (--paths)
        now = results[path]["instructions_per_call"]
        change = (now - before) / before * 100
        grew = change > margin
        failed += [path] if grew else []
        print(f"{path:<28} {before:>14,.0f} {now:>14,.0f} {change:>+7.1f}%{'  > +%g %%: REGRESSION' % margin if grew else ''}")
    unguarded = [path for path in results if path not in baseline]
    if unguarded:
        raise SystemExit(f"no baseline for {', '.join(unguarded)}: count it with make bench-baseline")
    if failed:
        raise SystemExit(f"instruction counts grew by more than {margin:g} % on: {', '.join(failed)} "
                         f"(on purpose? refresh the baseline: make bench-baseline)")
    print(f"every path within +{margin:g} % of {os.path.relpath(BASELINE, ROOT)}")


def write_baseline(results):
    counted = {path: round(r["instructions_per_call"]) for path, r in results.items()}
    if os.path.exists(BASELINE):  # --paths: the paths not counted keep their baseline
        with open(BASELINE) as f:
            counted = {**json.load(f)["instructions_per_call"], **counted}
    document = {
        "about": "Instructions per call (callgrind) of each path `make bench-check` guards; refreshed on purpose "
                 "with `make bench-baseline` (BENCHMARKS.md, Regression check).",
        "instructions_per_call": {path: counted[path] for path in GUARDED_PATHS if path in counted},
    }
    with open(BASELINE, "w") as f:
        json.dump(document, f, indent=2)
        f.write("\n")
    log(f"baseline written to {os.path.relpath(BASELINE, ROOT)}")


# --- warm ----------------------------------------------------------------------------------------


def warm(iterations):
    env = dict(os.environ, BENCH_ITERATIONS=str(iterations))
    env.setdefault("MOTO_SERVER", os.path.join(VENV_BIN, "moto_server"))
    out = run(NICE + ["cargo", "bench", "-p", "cards", "--bench", "warm_overhead"],
              stdout=subprocess.PIPE, text=True, env=env).stdout
    for line in out.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON "):])
    raise SystemExit("warm_overhead printed no BENCH_JSON line")


# --- cold start and memory -----------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api_gateway_event(method, path, headers=None, body=None):
    return {
        "version": "2.0", "routeKey": f"{method} {path}", "rawPath": path, "rawQueryString": "",
        "headers": {"accept": "application/json", "host": "bench.local", **(headers or {})},
        "requestContext": {
            "accountId": "123456789012", "apiId": "bench", "domainName": "bench.local", "domainPrefix": "bench",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                     "userAgent": "bench"},
            "requestId": str(uuid.uuid4()), "routeKey": f"{method} {path}", "stage": "$default",
            "time": "21/Nov/2026:12:00:00 +0000", "timeEpoch": int(time.time() * 1000),
        },
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }


class StubRuntime:
    """The Lambda runtime API, enough for one process: hands out `events` in order, timestamps each
    invocation handed out (`/next` answered) and each `/response` received, then holds the next
    `/next` until `close()`.

    It replies as the real runtime API does over a kept-alive connection: each reply (status line,
    headers and body) in ONE write, with `TCP_NODELAY`, and `202 {"status":"OK"}` to a posted
    response. Writing the headers and the body separately makes the body's small segment wait for
    the client's delayed ACK (about 40 ms on Linux) and made `lambda_runtime` open a new
    connection per invocation, which falsified every warm figure taken through it. `connections`
    counts the TCP connections the function opened."""

    def __init__(self, events):
        self.events = list(events)
        self.next_at, self.handed_at, self.responses = [], [], []
        self.connections = 0
        self.done = threading.Event()
        self.closing = threading.Event()
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                stub.connections += 1

            def log_message(self, *args):
                pass

            def do_GET(self):
                if not self.path.endswith("/runtime/invocation/next"):
                    return self.reply(404, b"{}")
                stub.next_at.append(time.perf_counter())
                index = len(stub.next_at) - 1
                if index >= len(stub.events):
                    stub.done.set()
                    stub.closing.wait()
                    return self.reply(500, b"{}")
                body = json.dumps(stub.events[index]).encode()
                self.reply(200, body, {
                    "Lambda-Runtime-Aws-Request-Id": f"bench-{index}",
                    "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + 30_000),
                    "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:123456789012:function:bench",
                    "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000",
                })
                stub.handed_at.append(time.perf_counter())

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                payload = self.rfile.read(length) if length else b""
                if "/response" in self.path or "/error" in self.path:
                    stub.responses.append((time.perf_counter(), self.path, payload))
                self.reply(202, b'{"status":"OK"}')

            def reply(self, status, body, headers=None):
                head = [f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}",
                        "Content-Type: application/json", f"Content-Length: {len(body)}"]
                head += [f"{k}: {v}" for k, v in (headers or {}).items()]
                try:
                    self.wfile.write("\r\n".join(head).encode() + b"\r\n\r\n" + body)
                except (BrokenPipeError, ConnectionResetError):
                    # The function was stopped between two polls of /next: expected at the end of a run.
                    pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()


class Upstreams:
    """moto with both secrets, and the sandbox, as `make dev` runs them."""

    def __init__(self):
        self.children = []

    def __enter__(self):
        port = free_port()
        moto = os.environ.get("MOTO_SERVER") or os.path.join(VENV_BIN, "moto_server")
        self.children.append(subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(port)],
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        self.moto_url = f"http://127.0.0.1:{port}"
        # The dev build, as `make dev` runs it (dependencies at opt-level 1): a release build of the sandbox
        # beside the functions would unify features and rebuild the functions with extra ones.
        sandbox = subprocess.Popen(NICE + ["cargo", "run", "--quiet", "-p", "sandbox"], cwd=ROOT,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.children.append(sandbox)
        self.sandbox = {}
        deadline = time.monotonic() + 900
        for line in sandbox.stdout:
            key, sep, value = line.strip().partition("=")
            if sep and key in SANDBOX_KEYS:
                self.sandbox.setdefault(key, value)
            if len(self.sandbox) == len(SANDBOX_KEYS) or time.monotonic() > deadline:
                break
        threading.Thread(target=lambda: [None for _ in sandbox.stdout], daemon=True).start()
        if len(self.sandbox) != len(SANDBOX_KEYS):
            raise SystemExit("the sandbox did not print its URLs")
        import boto3  # from .venv, installed with moto

        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        client = boto3.client("secretsmanager", endpoint_url=self.moto_url, region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test")
        s = self.sandbox
        client.create_secret(Name="bench/stytch", SecretString=json.dumps(
            {"project_id": s["STYTCH_PROJECT_ID"], "secret": s["STYTCH_SECRET"], "base_url": s["STYTCH_URL"]}))
        client.create_secret(Name="bench/unit", SecretString=json.dumps(
            {"api_token": s["UNIT_API_TOKEN"], "base_url": s["UNIT_URL"], "webhook_secret": s["UNIT_WEBHOOK_SECRET"]}))
        return self

    def __exit__(self, *exc):
        for child in reversed(self.children):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
                try:
                    child.wait(10)
                except subprocess.TimeoutExpired:
                    child.kill()

    def environment(self, runtime_api):
        return function_environment(runtime_api, self.moto_url, self.sandbox["UNIT_URL"], "bench")


def function_environment(runtime_api, moto_url, unit_url, secrets_prefix):
    """A function's environment as deployed, its upstreams local: secrets `<prefix>/stytch` and
    `<prefix>/unit` in moto, Unit at `unit_url`."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "AWS_LAMBDA_FUNCTION_NAME": "bench", "AWS_LAMBDA_FUNCTION_VERSION": "1",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "STYTCH_SECRET_ID": f"{secrets_prefix}/stytch", "UNIT_SECRET_ID": f"{secrets_prefix}/unit",
        "UNIT_API_URL": unit_url,  # cards: Unit's URL instead of the Unit secret
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": moto_url, "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_EC2_METADATA_DISABLED": "true",
        "CORS_ALLOWED_ORIGINS": "http://localhost:3000",
        "MAGIC_LINK_REDIRECT_URL": "http://localhost:3000/authenticate",
        "LOG_LEVEL": "info",
    }


def warm_events(function, count):
    """A warm run: health, and a route of this function that does real work and calls out."""
    health = api_gateway_event("GET", f"/health/{function}")
    bearer = {"authorization": "Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6ImJlbmNoIn0.e30.c2ln", "content-type": "application/json"}
    work = {
        "signup": api_gateway_event("POST", "/signup", {"content-type": "application/json"}, {"email": "bench@example.com"}),
        "step-up": api_gateway_event("POST", "/step-up/totp", bearer),
        "token-exchange": api_gateway_event("POST", "/token", bearer, {"scopes": ["cards"]}),
        "cards": api_gateway_event("GET", "/cards", {"authorization": "Bearer not-a-unit-token"}),
        # A delivery whose signature no token produces: the HMAC is computed and compared, then 401.
        "webhooks": api_gateway_event("POST", "/webhooks/unit", {"content-type": "application/vnd.api+json",
                                      "x-unit-signature": "c2lnbmF0dXJl"}, {"data": []}),
    }[function]
    return [health if i % 2 == 0 else work for i in range(count)]


def upstream_wait_ms(function, logs):
    """How long the cold start waited on Secrets Manager and the JWKS, as the function logs it."""
    if function in ("cards", FLOOR):
        return 0.0  # reads no secret and no JWKS: nothing upstream at cold start
    logs.seek(0)
    for line in logs:
        if b"upstream reads at cold start done" in line:
            return json.loads(line)["elapsed_ms"]  # JSON logs, fields flattened
    raise SystemExit("the function did not log its cold-start wait ('upstream reads at cold start done')")


def cold_start_phases(logs):
    """The function's own account of its cold start (`cold start phases`): {phase: ms}."""
    logs.seek(0)
    for line in logs:
        if b"cold start phases" in line:
            fields = json.loads(line)
            return {name: int(us) / 1e3 for name, us in (p.split("=") for p in fields["phases"].split())}
    raise SystemExit("the function did not log its cold-start phases ('cold start phases')")


def process_cpu_ms(pid):
    """CPU time of every thread of `pid` so far (schedstat: on-CPU ns, user and kernel), exec included.
    Unlike wall time it leaves out every wait, for upstreams and for a CPU on a busy host alike."""
    total_ns = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/schedstat") as f:
            total_ns += int(f.read().split()[0])
    return total_ns / 1e6


def one_process(upstreams, binary, function, events):
    stub = StubRuntime([api_gateway_event("GET", f"/health/{function}")] + events)
    try:
        logs = tempfile.TemporaryFile()  # a file, not a pipe: a warm run logs more than a pipe holds
        start = time.perf_counter()
        proc = subprocess.Popen([binary], env=upstreams.environment(stub.address),
                                stdout=logs, stderr=subprocess.PIPE)
        # Popen returns once the child has exec'd (its error pipe closes on exec): what came before the
        # function's first instruction is this harness's fork and the exec call.
        spawned = time.perf_counter()
        if not stub.done.wait(120):
            proc.kill()
            raise SystemExit(f"{function}: no answer within 120 s: {proc.stderr.read().decode()[-2000:]}")
        cpu_ms = process_cpu_ms(proc.pid)
        threads = len(os.listdir(f"/proc/{proc.pid}/task"))
        status = open(f"/proc/{proc.pid}/status").read()
        hwm_kb = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))
        proc.kill()
        proc.wait()
        first_at, path, payload = stub.responses[0]
        if "/error" in path or b'"statusCode":200' not in payload.replace(b" ", b""):
            raise SystemExit(f"{function}: the health invoke failed: {path} {payload[:500]!r}")
        phases = cold_start_phases(logs) if function != FLOOR else {}  # the floor has no main of its own
        init_ms = (stub.next_at[0] - start) * 1e3
        # Before main's first line and after its last phase: exec, loading, the tokio runtime, and the
        # Lambda runtime's start up to its first /next.
        phases["outside_main_phases"] = init_ms - sum(phases.values())
        return {"cold_ms": (first_at - start) * 1e3, "init_ms": init_ms, "phases_ms": phases, "cpu_ms": cpu_ms,
                "spawn_ms": (spawned - start) * 1e3,
                "threads": threads,
                "upstream_wait_ms": upstream_wait_ms(function, logs), "peak_rss_mb": hwm_kb / 1024}
    finally:
        stub.close()


def certificate_files_opened(upstreams, binary, function):
    """The certificate files one cold start opens (strace): the trust store is read once, by the one
    HTTP client every upstream shares, the AWS SDK's included, so exactly one file is expected."""
    if not shutil.which("strace"):
        return None
    stub = StubRuntime([api_gateway_event("GET", f"/health/{function}")])
    with tempfile.NamedTemporaryFile("r") as trace:
        proc = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=openat", "-o", trace.name, binary],
                                env=upstreams.environment(stub.address), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            if not stub.done.wait(120):
                raise SystemExit(f"{function}: no answer under strace within 120 s")
        finally:
            stub.close()
            proc.kill()
            proc.wait()
        opened = [m.group(1) for m in re.finditer(r'openat\([^"]*"([^"]+)"[^)]*\) = \d+', trace.read())]
    return [path for path in opened if path.startswith(("/etc/ssl", "/etc/pki", "/usr/share/ca-certificates"))]


def cold(runs, warm_invokes):
    # The functions alone, as `cargo lambda build` builds them (no dev-dependency features unified in).
    run(NICE + ["cargo", "build", "--release"] + [a for f in FUNCTIONS for a in ("-p", f)])
    # Built on its own, so that its dependencies' features do not change the functions' build.
    run(NICE + ["cargo", "build", "--release", "-p", "secrets-path-bench", "--bin", FLOOR])
    floor_binary = os.path.join(RELEASE, FLOOR)
    results = {}
    with Upstreams() as upstreams:
        for function in FUNCTIONS:
            binary = os.path.join(RELEASE, function)
            one_process(upstreams, floor_binary, FLOOR, [])
            one_process(upstreams, binary, function, [])  # page cache warm, as on a reused Lambda host
            # Each start of the function right after one of the floor, so that the difference of each
            # pair is taken at one moment of a host whose speed drifts.
            pairs = [(one_process(upstreams, floor_binary, FLOOR, []), one_process(upstreams, binary, function, []))
                     for _ in range(runs)]
            floors = [floor for floor, _ in pairs]
            samples = [sample for _, sample in pairs]
            warm_run = one_process(upstreams, binary, function, warm_events(function, warm_invokes))
            cold_ms = [s["cold_ms"] for s in samples]
            init_ms = [s["init_ms"] for s in samples]
            own_ms = [s["cold_ms"] - s["upstream_wait_ms"] for s in samples]
            above_floor_ms = [own - floor["cold_ms"] for own, floor in zip(own_ms, floors)]
            above_floor_cpu_ms = [s["cpu_ms"] - floor["cpu_ms"] for s, floor in zip(samples, floors)]
            results[function] = {
                "runs": runs,
                "certificate_files_opened": certificate_files_opened(upstreams, binary, function),
                "cold_start_ms": {"median": statistics.median(cold_ms), "p90": percentile(cold_ms, 90),
                                  "min": min(cold_ms), "max": max(cold_ms)},
                "init_ms": {"median": statistics.median(init_ms), "p90": percentile(init_ms, 90)},
                # Cold start minus the wait on Secrets Manager and the JWKS: the function's own part.
                "cold_start_excluding_upstream_ms": {"median": statistics.median(own_ms), "p90": percentile(own_ms, 90)},
                # Of which the harness's spawn: Python's fork and the exec call, until the exec has happened.
                # Counted in every figure above (the exec is the function's, the fork is not).
                "spawn_ms": {"median": statistics.median(s["spawn_ms"] for s in samples),
                             "p90": percentile([s["spawn_ms"] for s in samples], 90)},
                # The floor (FLOOR: no work of its own, same harness, the start before each of this
                # function's), and the function's own part above it, pair by pair: what our cold start
                # work costs, the runtime, the exec and the harness's round trips left out.
                "floor_ms": {"median": statistics.median(f["cold_ms"] for f in floors),
                             "cpu_median": statistics.median(f["cpu_ms"] for f in floors)},
                "excluding_upstream_above_floor_ms": {"median": statistics.median(above_floor_ms),
                                                      "p90": percentile(above_floor_ms, 90),
                                                      "cpu_median": statistics.median(above_floor_cpu_ms)},
                # The process's CPU time to its first response (all threads): the own cold start without
                # any wait, which a loaded host does not inflate as it does wall time.
                "cold_start_cpu_ms": {"median": statistics.median(s["cpu_ms"] for s in samples),
                                      "p90": percentile([s["cpu_ms"] for s in samples], 90)},
                # Median of each phase of main (the function's own log line), and what lies outside them.
                "phases_ms_median": {name: statistics.median(s["phases_ms"][name] for s in samples)
                                     for name in samples[0]["phases_ms"]},
                # Threads of the process once it has answered (main and tokio's: workers, blocking pool).
                "threads": max(s["threads"] for s in samples),
                "peak_rss_mb_cold": max(s["peak_rss_mb"] for s in samples),
                "peak_rss_mb_warm_run": warm_run["peak_rss_mb"],
                "warm_run_invokes": warm_invokes,
            }
            log(f"{function}: cold {results[function]['cold_start_ms']}, RSS {warm_run['peak_rss_mb']:.1f} MB")
    return results


# --- warm through the runtime API ------------------------------------------------------------------

SCOPES = ["accounts", "cards", "cards-write"]
CREDENTIALS_TEMPLATE = '{"jwt": "{{STYTCH_SESSION_JWT_2FA}}", "unit": "{{UNIT_CUSTOMER_TOKEN}}"}'


class LocalStack:
    """tests/dev/local_stack.py in the background (moto, the sandbox, `cargo lambda watch`), to build
    a real user through the API itself (`demo fill`): a stepped-up session JWT and a Unit customer
    token, which the release functions then present to the same moto and sandbox."""

    def __enter__(self):
        self.moto_url = f"http://127.0.0.1:{free_port()}"
        env = dict(os.environ, MOTO_PORT=self.moto_url.rsplit(":", 1)[1])
        self.proc = subprocess.Popen(
            [os.path.join(VENV_BIN, "python"), os.path.join(ROOT, "tests", "dev", "local_stack.py"), "--quiet", "--no-reload"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        self.urls = {}
        for line in self.proc.stdout:
            key, sep, value = line.strip().partition("=")
            if sep and key in ("API_URL", "STYTCH_URL", "UNIT_URL"):
                self.urls[key] = value
            if len(self.urls) == 3:
                break
        if len(self.urls) != 3:
            raise SystemExit("the local stack did not start (tests/dev/local_stack.py)")
        return self

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(60)

    def credentials(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json") as template:
            template.write(CREDENTIALS_TEMPLATE)
            template.flush()
            out = run(["cargo", "run", "--quiet", "-p", "demo", "--", "fill", template.name],
                      env=dict(os.environ, **self.urls), stdout=subprocess.PIPE, text=True).stdout
        return json.loads(out)


def through_runtime(invocations):
    """Warm figures end to end through the runtime API: the release function started against the stub
    runtime API, which hands out the same real request `invocations` times (after a tenth as many
    unmeasured); each figure runs from the invocation handed out (`/next` answered) to its response
    posted. How many connections the function opened for them is reported."""
    run(NICE + ["cargo", "build", "--release", "-p", "token-exchange", "-p", "cards"])
    results = {}
    with LocalStack() as stack:
        credentials = stack.credentials()
        routes = {
            "POST /token": ("token-exchange", api_gateway_event(
                "POST", "/token", {"authorization": f"Bearer {credentials['jwt']}", "content-type": "application/json"},
                {"scopes": SCOPES})),
            "GET /cards": ("cards", api_gateway_event("GET", "/cards", {"authorization": f"Bearer {credentials['unit']}"})),
        }
        for route, (function, event) in routes.items():
            warmup = max(10, invocations // 10)
            stub = StubRuntime([event] * (warmup + invocations))
            try:
                logs = tempfile.TemporaryFile()
                env = function_environment(stub.address, stack.moto_url, stack.urls["UNIT_URL"], "local")
                proc = subprocess.Popen([os.path.join(RELEASE, function)], env=env, stdout=logs, stderr=subprocess.PIPE)
                if not stub.done.wait(300):
                    proc.kill()
                    raise SystemExit(f"{route}: not done within 300 s: {proc.stderr.read().decode()[-2000:]}")
                proc.kill()
                proc.wait()
            finally:
                stub.close()
            for _, path, payload in stub.responses:
                if "/error" in path or json.loads(payload).get("statusCode") != 200:
                    raise SystemExit(f"{route}: an invocation failed: {path} {payload[:500]!r}")
            total = warmup + invocations
            # Reported, not asserted: lambda_runtime drops the answer to a posted response unread, and hyper
            # then closes that connection now and then (2 to 22 in 110 invocations measured, see BENCHMARKS.md).
            ms = [(stub.responses[i][0] - stub.handed_at[i]) * 1e3 for i in range(warmup, total)]
            results[route] = {"invocations": invocations, "connections": stub.connections,
                              "invocation_ms": {"p50": percentile(ms, 50), "p99": percentile(ms, 99),
                                                "mean": statistics.mean(ms)}}
            log(f"{route}: {results[route]}")
    return results


# --- size ----------------------------------------------------------------------------------------

ELF_MACHINES = {0x3E: "x86_64", 0xB7: "arm64"}


def elf_arch(path):
    with open(path, "rb") as f:
        header = f.read(20)
    return ELF_MACHINES.get(int.from_bytes(header[18:20], "little"), "unknown")


def lambda_build(arches, packages):
    """`cargo lambda build --release` of `packages` for each architecture; each zip is kept under
    target/bench/zips/<arch>/ because the next architecture's build overwrites target/lambda."""
    env = dict(os.environ, PATH=VENV_BIN + os.pathsep + os.environ.get("PATH", ""))
    for arch in arches:
        flag = "--arm64" if arch == "arm64" else "--x86-64"
        run(NICE + ["cargo", "lambda", "build", "--release", flag, "--output-format", "zip"]
            + [a for p in packages for a in ("--bin", p)], env=env)
        os.makedirs(os.path.join(ZIPS_DIR, arch), exist_ok=True)
        for name in packages:
            shutil.copyfile(os.path.join(TARGET, "lambda", name, "bootstrap.zip"),
                            os.path.join(ZIPS_DIR, arch, f"{name}.zip"))


def zip_sizes(name):
    """bootstrap and zip sizes of `name` for every architecture built so far."""
    entry = {}
    for arch in sorted(os.listdir(ZIPS_DIR)) if os.path.isdir(ZIPS_DIR) else []:
        path = os.path.join(ZIPS_DIR, arch, f"{name}.zip")
        if os.path.exists(path):
            with zipfile.ZipFile(path) as z:
                info = z.getinfo("bootstrap")
                with z.open(info) as f:
                    header = f.read(20)
            arch = ELF_MACHINES.get(int.from_bytes(header[18:20], "little"), "unknown")
            entry[f"lambda_{arch}_bootstrap_bytes"] = info.file_size
            entry[f"lambda_{arch}_zip_bytes"] = os.path.getsize(path)
    return entry


def size(arches):
    lambda_build(arches, FUNCTIONS)
    results = {}
    for function in FUNCTIONS:
        entry = {}
        native = os.path.join(RELEASE, function)
        if os.path.exists(native):
            entry[f"native_release_{elf_arch(native)}_bytes"] = os.path.getsize(native)
        entry.update(zip_sizes(function))
        results[function] = entry
    return results


# --- bloat ---------------------------------------------------------------------------------------

TOOLS = os.path.join(TARGET, "tools")


def bloat():
    """Which crates the code of a function comes from (`cargo bloat --crates` on an unstripped copy of
    the release profile), and the AWS SDK's share. Opt-in: one more release build, and cargo-bloat is
    built into target/tools on first use."""
    if not os.path.exists(os.path.join(TOOLS, "bin", "cargo-bloat")):
        run(["cargo", "install", "--locked", "--root", TOOLS, "cargo-bloat"])
    env = dict(os.environ, PATH=os.path.join(TOOLS, "bin") + os.pathsep + os.environ.get("PATH", ""),
               CARGO_PROFILE_BLOAT_INHERITS="release", CARGO_PROFILE_BLOAT_STRIP="false")
    results = {}
    for function in FUNCTIONS:
        out = run(NICE + ["cargo", "bloat", "--profile", "bloat", "-p", function, "--crates", "-n", "0",
                          "--message-format", "json"], stdout=subprocess.PIPE, text=True, env=env).stdout
        report = json.loads(out)
        crates = {c["name"]: c["size"] for c in report["crates"]}
        sdk = sum(size for name, size in crates.items() if name.startswith("aws_") and not name.startswith("aws_lc"))
        results[function] = {"text_bytes": report["text-section-size"], "aws_sdk_text_bytes": sdk,
                             "top_crates": dict(sorted(crates.items(), key=lambda c: -c[1])[:15])}
    return results


# --- secrets path --------------------------------------------------------------------------------

SECRET_PROGRAMS = ["secret-baseline", "secret-via-sdk", "secret-via-sdk-over-reqwest",
                   "secret-via-sdk-without-aws-config", "secret-via-sigv4"]


def deflated_size(path):
    """What a zip of this one file weighs (deflate level 9, as `cargo lambda` writes it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.write(path, "bootstrap")
    return len(buffer.getvalue())


def secrets_path(runs, arches):
    """What the official SDK costs against one hand-signed GetSecretValue (tests/bench/secrets-path)."""
    run(NICE + ["cargo", "build", "--release", "-p", "secrets-path-bench"])
    lambda_build(arches, SECRET_PROGRAMS)
    results = {}
    with Upstreams() as upstreams:
        env = upstreams.environment("unused")
        env["SECRET_ID"] = "bench/unit"
        for program in SECRET_PROGRAMS:
            binary = os.path.join(RELEASE, program)
            times = []
            for _ in range(runs + 1):  # the first one warms the page cache
                start = time.perf_counter()
                out = subprocess.run([binary], env=env, capture_output=True, text=True, check=True).stdout
                times.append((time.perf_counter() - start) * 1e3)
                if "value read" not in out:
                    raise SystemExit(f"{program} did not read the secret: {out}")
            results[program] = {
                f"native_release_{elf_arch(binary)}_bytes": os.path.getsize(binary),
                "native_release_deflated_bytes": deflated_size(binary),
                **zip_sizes(program),
                "process_ms": {"median": statistics.median(times[1:]), "p90": percentile(times[1:], 90)},
            }
    # The first randomness of a process: paid by the first TLS handshake of every cold start.
    binary = os.path.join(RELEASE, "first-randomness")
    times = []
    for _ in range(runs):
        out = subprocess.run([binary], capture_output=True, text=True, check=True).stdout
        times.append(float(re.search(r"first randomness: ([\d.]+) ms", out).group(1)))
    results["first-randomness"] = {"first_randomness_ms": {"median": statistics.median(times),
                                                           "max": max(times)}}
    return results


# --- report --------------------------------------------------------------------------------------


def machine():
    cpu = "unknown"
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read()).group(1))
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "kernel": platform.release(), "arch": platform.machine(), "rustc": rustc}


def table(results):
    lines = []
    for name, r in results.get("micro", {}).items():
        lines.append(f"micro   {name:<58} {r['estimate_us']:>10.2f} µs")
    for name, r in results.get("instructions", {}).items():
        lines.append(f"instr   {name:<58} {r['instructions_per_call']:>10,.0f} instructions per call (callgrind)")
    for reader, count in results.get("trust_store", {}).items():
        lines.append(f"trust   {reader:<58} {count:>10,.0f} instructions to read the roots (callgrind)")
    for route, r in results.get("warm", {}).items():
        o = r["overhead_us"]
        lines.append(f"warm    {route:<12} overhead p50 {o['p50'] / 1e3:.3f} ms  p99 {o['p99'] / 1e3:.3f} ms  "
                     f"(route p50 {r['route_us']['p50'] / 1e3:.3f} ms, upstream p50 {r['upstream_direct_us']['p50'] / 1e3:.3f} ms)  "
                     f"{r['function_only_rps_one_core']:.0f} req/s/core function-only, "
                     f"{r['end_to_end_rps_one_core']:.0f} end to end")
    for route, r in results.get("runtime", {}).items():
        i = r["invocation_ms"]
        in_process = results.get("warm", {}).get(route, {}).get("route_us", {}).get("p50", float("nan")) / 1e3
        lines.append(f"runtime {route:<12} invocation p50 {i['p50']:.3f} ms  p99 {i['p99']:.3f} ms through the runtime API "
                     f"(in-process route p50 {in_process:.3f} ms); {r['invocations']} invocations over "
                     f"{r['connections']} connections")
    for function, r in results.get("cold", {}).items():
        c = r["cold_start_ms"]
        own = r.get("cold_start_excluding_upstream_ms", {})
        lines.append(f"cold    {function:<15} median {c['median']:6.1f} ms  p90 {c['p90']:6.1f} ms  "
                     f"(excluding upstream waits {own.get('median', float('nan')):.1f} / "
                     f"{own.get('p90', float('nan')):.1f} ms, of which spawn "
                     f"{r.get('spawn_ms', {}).get('median', float('nan')):.2f}; CPU {r.get('cold_start_cpu_ms', {}).get('median', float('nan')):.1f} ms; "
                     f"init {r['init_ms']['median']:.1f} ms; {r.get('threads', '?')} threads)  "
                     f"peak RSS {r['peak_rss_mb_warm_run']:.1f} MB "
                     f"after {r['warm_run_invokes']} warm invokes; certificate files opened: "
                     f"{len(r['certificate_files_opened']) if r.get('certificate_files_opened') is not None else '?'}")
    for function, r in results.get("cold", {}).items():
        if "floor_ms" in r:
            floor, above = r["floor_ms"], r["excluding_upstream_above_floor_ms"]
            lines.append(f"floor   {function:<15} excluding upstream waits = floor {floor['median']:.1f} ms (CPU "
                         f"{floor['cpu_median']:.1f}; {FLOOR}: no work of its own, same harness) + ours "
                         f"{above['median']:.1f} ms median, p90 {above['p90']:.1f} (CPU {above['cpu_median']:.1f})")
    for function, r in results.get("cold", {}).items():
        phases = "  ".join(f"{name} {ms:.2f}" for name, ms in r.get("phases_ms_median", {}).items())
        lines.append(f"phases  {function:<15} ms, median: {phases}")
    for function, r in results.get("size", {}).items():
        parts = [f"{k.replace('_bytes', '')} {v / 1024 / 1024:.2f} MiB" for k, v in r.items()]
        lines.append(f"size    {function:<15} " + ("  ".join(parts) or "nothing built"))
    for function, r in results.get("bloat", {}).items():
        top = ", ".join(f"{name} {size / 1024:.0f}" for name, size in list(r["top_crates"].items())[:6])
        lines.append(f"bloat   {function:<15} .text {r['text_bytes'] / 1024 / 1024:.2f} MiB, AWS SDK crates "
                     f"{r['aws_sdk_text_bytes'] / r['text_bytes']:.0%}; KiB: {top}")
    if "profile" in results:
        p = results["profile"]
        lines.append(f"profile token-exchange cold start, {p['instructions']:,.0f} instructions; by function, inclusive:")
        lines += [f"profile   {count:>12,} {count / p['instructions']:6.1%}  {name[:110]}" for name, count in p["top_inclusive"].items()]
    for program, r in results.get("secrets_path", {}).items():
        parts = [f"{k.replace('_bytes', '')} {v / 1024 / 1024:.2f} MiB" for k, v in r.items() if k.endswith("_bytes")]
        if "first_randomness_ms" in r:
            lines.append(f"secrets {program:<17} first randomness {r['first_randomness_ms']['median']:.3f} ms median")
            continue
        lines.append(f"secrets {program:<17} process {r['process_ms']['median']:.1f} ms  " + "  ".join(parts))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="micro,instructions,trust-store,warm,runtime,cold,size,secrets",
                        help="comma-separated parts; `bloat` and `profile` run only when named")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warm-invokes", type=int, default=200)
    parser.add_argument("--iterations", type=int, default=500, help="warm iterations per route (in-process and through the runtime API)")
    parser.add_argument("--check", action="store_true",
                        help="instruction counts only, compared with tests/bench/instructions-baseline.json; "
                             "fails when a path grew by more than --margin")
    parser.add_argument("--margin", type=float, default=10.0, help="percent a path may grow under --check")
    parser.add_argument("--paths", default=",".join(GUARDED_PATHS),
                        help="comma-separated paths to count (instructions, --check, --update-baseline); default: the guarded ones")
    parser.add_argument("--update-baseline", action="store_true",
                        help="instruction counts only, written to tests/bench/instructions-baseline.json")
    parser.add_argument("--lambda-build", default="", help="comma-separated: arm64,x86_64 (cross builds, minutes each)")
    args = parser.parse_args()
    parts = {"instructions"} if args.check or args.update_baseline else set(args.only.split(","))
    arches = [a for a in args.lambda_build.split(",") if a]
    if set(arches) - {"arm64", "x86_64"}:
        parser.error("--lambda-build takes arm64 and/or x86_64")
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, "results.json")
    # A subset (--only) updates its parts and keeps the others from the last run.
    results = {}
    if os.path.exists(path):
        with open(path) as f:
            results = json.load(f)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    results.update({"date": now, "machine": machine()})
    results.setdefault("measured_at", {}).update({part: now for part in parts})
    if "micro" in parts:
        results["micro"] = micro()
    if "instructions" in parts:
        paths = args.paths.split(",")
        if set(paths) - set(COUNTABLE_PATHS):
            parser.error(f"--paths takes {', '.join(COUNTABLE_PATHS)}")
        counted = instructions(paths)
        results["instructions"] = {**results.get("instructions", {}), **counted}
    if "trust-store" in parts:
        results["trust_store"] = trust_store()
    if "warm" in parts:
        results["warm"] = warm(args.iterations)
    if "runtime" in parts:
        results["runtime"] = through_runtime(args.iterations)
    if "cold" in parts:
        results["cold"] = cold(args.runs, args.warm_invokes)
    if "size" in parts:
        results["size"] = size(arches)
    if "bloat" in parts:
        results["bloat"] = bloat()
    if "profile" in parts:
        results["profile"] = cold_profile()
    if "secrets" in parts:
        results["secrets_path"] = secrets_path(args.runs, arches)
    with open(path, "w") as f:
        json.dump(results, f, indent=2, ensure_ascii=False)
    if args.update_baseline:
        write_baseline(counted)
    if args.check:
        check(counted, args.margin)
        return
    print(table(results))
    print(f"\nwritten to {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    main()
