#!/usr/bin/env python3
"""`make fuzz-api`: Schemathesis against infra/openapi.yaml over the real local stack.

With API_URL and STYTCH_URL set (a running `make dev`) it tests that stack; otherwise it starts a fresh one
(tests/dev/local_stack.py --quiet -- this script) and stops it afterwards.

Every operation gets at most FUZZ_MAX_EXAMPLES (20) generated cases per phase (examples, coverage, fuzzing),
positive and negative, with credentials from hooks.py. A response fails the run when its status is not
documented for the operation, its content type or body does not match the document, or it is a 5xx other than
502 / 503 / 504. Extra arguments go to `schemathesis run` (e.g. `--include-tag cards`, `--seed 1`).
Reports (JUnit, HAR with sanitized headers) and Schemathesis' cache go to target/schemathesis/.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
VENV_BIN = os.path.join(ROOT, ".venv", "bin")
CHECKS = "status_code_conformance,content_type_conformance,response_schema_conformance,no_internal_error"


def main():
    if not os.environ.get("API_URL") or not os.environ.get("STYTCH_URL"):
        # A fresh stack around this same script; it comes back here with the URLs set.
        stack = [os.path.join(VENV_BIN, "python"), os.path.join(ROOT, "tests", "dev", "local_stack.py"), "--quiet"]
        os.execv(stack[0], [*stack, "--", sys.executable, os.path.abspath(__file__), *sys.argv[1:]])

    report_dir = os.path.join(ROOT, "target", "schemathesis")
    os.makedirs(report_dir, exist_ok=True)
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "hooks", "PYTHONPATH": HERE, "PYTHONDONTWRITEBYTECODE": "1"}
    command = [
        os.path.join(VENV_BIN, "schemathesis"), "run", os.path.join(ROOT, "infra", "openapi.yaml"),
        "--url", os.environ["API_URL"],
        "--checks", CHECKS,
        "--max-examples", os.environ.get("FUZZ_MAX_EXAMPLES", "20"),
        "--phases", "examples,coverage,fuzzing",
        "--workers", os.environ.get("FUZZ_WORKERS", "1"),
        "--request-timeout", "10",
        "--suppress-health-check", "too_slow",
        "--report", "junit,har",
        "--report-dir", report_dir,
        *sys.argv[1:],
    ]
    print("+", " ".join(command), flush=True)
    os.chdir(report_dir)  # Schemathesis keeps its cache (.schemathesis/, replays of past failures) in the cwd.
    os.execve(command[0], command, env)


if __name__ == "__main__":
    main()
