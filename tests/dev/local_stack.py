#!/usr/bin/env python3
"""The local stack behind `make dev` and `make demo`.

Starts, in order:
  1. moto (Secrets Manager) on loopback;
  2. the sandbox (Stytch + Unit stand-in), `cargo run -p sandbox`, and reads the URLs and credentials it prints;
     its Unit side delivers webhooks to API_URL/webhooks/unit, signed with the token it prints;
  3. seeds both secrets into moto, pointed at the sandbox (the Unit one with that token as `webhook_secret`);
  4. `cargo lambda watch`, which serves all five functions behind one base URL with API Gateway's paths
     (the `[workspace.metadata.lambda.watch.router]` table of the root Cargo.toml);
  5. with --web, the reference web app (tests/web, built beforehand into tests/web/dist): `vite preview` serves it,
     with /config.json naming API_URL (and whether the functions run in cookie mode: SESSION_COOKIE defaults
     to true with --web) and /__sandbox/* proxied to the sandbox (its dev-only inbox); the functions' CORS
     origins and magic-link redirect URL point at it unless set;
then waits until `GET /health/<function>` answers 200 for every function and prints, one per line:

  API_URL=http://127.0.0.1:<port>
  STYTCH_URL=http://127.0.0.1:<port>
  UNIT_URL=http://127.0.0.1:<port>
  WEB_URL=http://127.0.0.1:<port>     (with --web)

Without a command it stays in the foreground until SIGINT/SIGTERM (`make dev`). With `-- <command …>` it runs
the command with those three variables in its environment, stops the stack and exits with the command's status
(`make demo`). Either way every process it started, and every process they started, is stopped on the way out:
the script makes itself the "child subreaper", so even grandchildren that outlive their parent come back to it.

Environment: API_PORT, SANDBOX_STYTCH_PORT, SANDBOX_UNIT_PORT, MOTO_PORT, WEB_PORT (0 or unset: a free port); the
sandbox's own variables (SANDBOX_RECORD, …) pass through; CORS_ALLOWED_ORIGINS, MAGIC_LINK_REDIRECT_URL,
APPLICATION_FORM_REDIRECT_URL, LOG_LEVEL and the functions' other settings (README, Configuration) are handed to
the functions; READY_TIMEOUT_SECONDS (900).

Only the standard library and boto3 (installed with moto into .venv) are used.
"""

import argparse
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WEB_DIR = os.path.join(ROOT, "tests", "web")
VENV_BIN = os.path.join(ROOT, ".venv", "bin")
FUNCTIONS = ["signup", "step-up", "token-exchange", "cards", "webhooks"]
STYTCH_SECRET_ID = "local/stytch"
UNIT_SECRET_ID = "local/unit"
SANDBOX_KEYS = ["STYTCH_URL", "UNIT_URL", "STYTCH_PROJECT_ID", "STYTCH_SECRET", "UNIT_API_TOKEN", "UNIT_WEBHOOK_SECRET"]
# Function settings a developer may set when starting the stack; handed through to the functions.
FUNCTION_SETTINGS = [
    "SECRETS_CACHE_TTL_SECONDS",
    "JWT_LEEWAY_SECONDS",
    "JWT_MAX_TOKEN_AGE_SECONDS",
    "JWKS_CACHE_TTL_SECONDS",
    "JWKS_REFRESH_COOLDOWN_SECONDS",
    "STEP_UP_MAX_AGE_SECONDS",
    "UPSTREAM_CONNECT_TIMEOUT_MS",
    "UPSTREAM_TIMEOUT_MS",
    "REQUEST_DEADLINE_MS",
    "SESSION_DURATION_MINUTES",
    "REQUIRE_PKCE",
    "SESSION_COOKIE",
]


class Stop(Exception):
    """Raised from the signal handler: SIGINT or SIGTERM asked us to stop."""

    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class StackError(Exception):
    pass


def log(message):
    print(f"local-stack: {message}", file=sys.stderr, flush=True)


def port_from_env(name):
    raw = os.environ.get(name, "").strip()
    if raw in ("", "0"):
        return 0
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise StackError(f"{name} must be a port number (0 or unset for a free one), got {raw!r}")
    return int(raw)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def become_subreaper():
    """Orphaned descendants are re-parented to us instead of init, so shutdown can find them all."""
    PR_SET_CHILD_SUBREAPER = 36
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        log("warning: could not become a child subreaper; stray grandchildren may survive a crash")


def processes():
    """(pid, state, parent pid) of every process, from /proc."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read().decode(errors="replace")
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces: split after the last ')'.
        fields = stat[stat.rfind(")") + 2 :].split()
        yield int(entry), fields[0], int(fields[1])


def descendants(root_pid):
    """Every live process below root_pid."""
    children = {}
    for pid, state, ppid in processes():
        if state != "Z":
            children.setdefault(ppid, []).append(pid)
    found, todo = [], [root_pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def reap(keep=()):
    """Collect exited orphans (zombies re-parented to us), leaving the children in `keep` to subprocess."""
    me = os.getpid()
    for pid, state, ppid in processes():
        if state == "Z" and ppid == me and pid not in keep:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass


def stop_everything(grace_seconds=10):
    """SIGTERM every descendant, wait, then SIGKILL what is left."""
    me = os.getpid()
    for pid in descendants(me):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace_seconds
    while time.monotonic() < deadline:
        reap()
        if not descendants(me):
            return
        time.sleep(0.1)
    for pid in descendants(me):
        log(f"process {pid} ignored SIGTERM; killing it")
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    time.sleep(0.2)
    reap()


class Stack:
    def __init__(self, run_dir, quiet, reload, web):
        self.run_dir = run_dir
        self.quiet = quiet
        self.reload = reload
        # The web app's origin, chosen up front: the functions' CORS origins and magic-link URL name it.
        self.web_url = f"http://127.0.0.1:{port_from_env('WEB_PORT') or free_port()}" if web else None
        self.children = {}
        self.env = dict(os.environ)
        self.env["PATH"] = VENV_BIN + os.pathsep + self.env.get("PATH", "")

    def log_path(self, name):
        return os.path.join(self.run_dir, f"{name}.log")

    def output(self, name, always_to_file=False):
        if self.quiet or always_to_file:
            return open(self.log_path(name), "ab")
        # The developer sees it on stderr; stdout stays for the KEY=value lines alone.
        return sys.stderr.fileno()

    def spawn(self, name, args, stdout=None, always_to_file=False, env=None):
        out = self.output(name, always_to_file)
        child = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env or self.env,
            stdin=subprocess.DEVNULL,
            stdout=stdout if stdout is not None else out,
            stderr=out,
        )
        self.children[name] = child
        return child

    def check_alive(self):
        reap(keep={child.pid for child in self.children.values()})
        for name, child in self.children.items():
            if child.poll() is not None:
                where = f"; its log: {self.log_path(name)}" if os.path.exists(self.log_path(name)) else ""
                raise StackError(f"{name} exited with status {child.returncode}{where}")

    def build(self):
        log("building the sandbox and the five functions (cargo build)")
        packages = [arg for name in ["sandbox", *FUNCTIONS] for arg in ("-p", name)]
        subprocess.run(["cargo", "build", "--quiet", *packages], cwd=ROOT, env=self.env, check=True)

    def start_moto(self):
        binary = os.environ.get("MOTO_SERVER") or os.path.join(VENV_BIN, "moto_server")
        if not os.access(binary, os.X_OK):
            raise StackError(f"{binary} not found; run `make venv` first")
        port = port_from_env("MOTO_PORT") or free_port()
        self.spawn("moto", [binary, "-H", "127.0.0.1", "-p", str(port)], always_to_file=True)
        self.moto_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            self.check_alive()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise StackError(f"moto did not listen on port {port} within 60 s")
                time.sleep(0.1)
        log(f"moto (Secrets Manager) on {self.moto_url}")

    def start_sandbox(self):
        # Unit's webhooks go to the functions' base URL, chosen now so that the sandbox knows it.
        self.api_port = port_from_env("API_PORT") or free_port()
        env = dict(self.env)
        env.setdefault("SANDBOX_UNIT_WEBHOOK_URL", f"http://127.0.0.1:{self.api_port}/webhooks/unit")
        child = self.spawn(
            "sandbox", ["cargo", "run", "--quiet", "-p", "sandbox"], stdout=subprocess.PIPE, env=env
        )
        values = {}
        found = threading.Event()

        def read():
            for raw in child.stdout:
                line = raw.decode(errors="replace").strip()
                key, sep, value = line.partition("=")
                if sep and key in SANDBOX_KEYS and key not in values:
                    values[key] = value
                    if len(values) == len(SANDBOX_KEYS):
                        found.set()

        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + 300
        while not found.wait(0.2):
            self.check_alive()
            if time.monotonic() > deadline:
                raise StackError("the sandbox did not print its URLs within 300 s")
        self.sandbox = values
        log(f"sandbox: Stytch on {values['STYTCH_URL']}, Unit on {values['UNIT_URL']}")

    def seed_secrets(self):
        import boto3  # from .venv, installed with moto

        client = boto3.client(
            "secretsmanager",
            endpoint_url=self.moto_url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        s = self.sandbox
        secrets = {
            STYTCH_SECRET_ID: {
                "project_id": s["STYTCH_PROJECT_ID"],
                "secret": s["STYTCH_SECRET"],
                "base_url": s["STYTCH_URL"],
            },
            UNIT_SECRET_ID: {
                "api_token": s["UNIT_API_TOKEN"],
                "base_url": s["UNIT_URL"],
                "webhook_secret": s["UNIT_WEBHOOK_SECRET"],
            },
        }
        for name, value in secrets.items():
            client.create_secret(Name=name, SecretString=json.dumps(value))
        log(f"seeded secrets {STYTCH_SECRET_ID} and {UNIT_SECRET_ID}")

    def function_environment(self):
        # One environment for the five (cargo lambda watch takes one --env-file); each reads only its own
        # variables. Cards reads UNIT_API_URL and never the secret ids (as deployed, it has none).
        env = {
            "STYTCH_SECRET_ID": STYTCH_SECRET_ID,
            "UNIT_SECRET_ID": UNIT_SECRET_ID,
            "UNIT_API_URL": self.sandbox["UNIT_URL"],
            "AWS_ENDPOINT_URL_SECRETS_MANAGER": self.moto_url,
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_EC2_METADATA_DISABLED": "true",
            "CORS_ALLOWED_ORIGINS": os.environ.get("CORS_ALLOWED_ORIGINS", self.web_url or "http://localhost:3000"),
            "MAGIC_LINK_REDIRECT_URL": os.environ.get(
                "MAGIC_LINK_REDIRECT_URL", f"{self.web_url or 'http://localhost:3000'}/authenticate"
            ),
            "APPLICATION_FORM_REDIRECT_URL": os.environ.get(
                # Unit's Url type wants a dotted name: on a loopback host, the page's file name.
                "APPLICATION_FORM_REDIRECT_URL",
                f"{self.web_url or 'http://localhost:3000'}/index.html?step=application-form",
            ),
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "info"),
            # The web app keeps the session token where script cannot read it (cookie mode); without --web the
            # functions run as deployed by default, the token in the JSON body.
            "SESSION_COOKIE": "true" if self.web_url else "false",
        }
        env.update({k: os.environ[k] for k in FUNCTION_SETTINGS if os.environ.get(k, "").strip()})
        return env

    def start_functions(self):
        port = self.api_port
        env_file = os.path.join(self.run_dir, "functions.env")
        with open(env_file, "w") as f:
            for key, value in self.function_environment().items():
                # Single quotes: the dotenv parser cargo-lambda uses takes the value literally (a URL's
                # `?`, `=` or `#` included).
                if "'" in value or "\n" in value:
                    raise SystemExit(f"{key}: a quote or a newline cannot be passed to the functions")
                f.write(f"{key}='{value}'\n")
        args = [
            "cargo", "lambda", "watch",
            "--invoke-address", "127.0.0.1",
            "--invoke-port", str(port),
            "--disable-cors",  # the functions answer CORS themselves, as deployed
            "--env-file", env_file,
        ]
        if not self.reload:
            args.append("--ignore-changes")
        # Keep the developer's own AWS settings (profiles, real endpoints) away from the functions.
        env = {k: v for k, v in self.env.items() if not k.startswith("AWS_")}
        self.spawn("functions", args, env=env)
        self.api_url = f"http://127.0.0.1:{port}"

    def wait_ready(self):
        timeout = float(os.environ.get("READY_TIMEOUT_SECONDS", "900"))
        deadline = time.monotonic() + timeout
        for function in FUNCTIONS:
            self.wait_for(f"{self.api_url}/health/{function}", deadline, timeout)
            log(f"{function} is up (GET /health/{function} → 200)")

    def wait_for(self, url, deadline, timeout):
        """Until GET url answers 200, while every child stays alive; StackError after `deadline`."""
        while True:
            self.check_alive()
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise StackError(f"GET {url} did not answer 200 within {timeout:.0f} s")
            time.sleep(0.25)

    def start_web(self):
        dist = os.path.join(WEB_DIR, "dist")
        if not os.path.exists(os.path.join(dist, "index.html")):
            raise StackError("tests/web/dist is not built; run `make web` first")
        with open(os.path.join(dist, "config.json"), "w") as f:
            cookie_mode = self.function_environment()["SESSION_COOKIE"] == "true"
            json.dump({"apiUrl": self.api_url, "sessionCookie": cookie_mode}, f)
        port = self.web_url.rsplit(":", 1)[1]
        env = dict(self.env, SANDBOX_STYTCH_URL=self.sandbox["STYTCH_URL"])
        vite = os.path.join(WEB_DIR, "node_modules", ".bin", "vite")
        self.spawn("web", [vite, "preview", WEB_DIR, "--port", port, "--strictPort"], env=env)
        self.wait_for(f"{self.web_url}/config.json", time.monotonic() + 60, 60)
        log(f"web app on {self.web_url}")

    def start(self):
        self.build()
        self.start_moto()
        self.start_sandbox()
        self.seed_secrets()
        self.start_functions()
        self.wait_ready()
        urls = {"API_URL": self.api_url, "STYTCH_URL": self.sandbox["STYTCH_URL"], "UNIT_URL": self.sandbox["UNIT_URL"]}
        if self.web_url:
            self.start_web()
            urls["WEB_URL"] = self.web_url
        return urls


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quiet", action="store_true", help="send every child's output to log files")
    parser.add_argument("--no-reload", action="store_true", help="do not rebuild functions on code changes")
    parser.add_argument("--web", action="store_true", help="also serve the web app built in tests/web/dist")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- command to run against the stack")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command

    def on_signal(signum, _frame):
        raise Stop(signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    become_subreaper()

    os.makedirs(os.path.join(ROOT, ".dev"), exist_ok=True)
    run_dir = tempfile.mkdtemp(prefix="run-", dir=os.path.join(ROOT, ".dev"))
    stack = Stack(run_dir, quiet=args.quiet, reload=not command and not args.no_reload, web=args.web)
    status, keep_logs = 0, False
    try:
        urls = stack.start()
        for key, value in urls.items():
            print(f"{key}={value}", flush=True)
        if command:
            env = dict(os.environ, **urls)
            child = subprocess.Popen(command, cwd=ROOT, env=env)
            stack.children["command"] = child
            status = child.wait()
            keep_logs = status != 0
        else:
            log("ready; Ctrl-C stops everything")
            while True:
                stack.check_alive()
                time.sleep(0.5)
    except Stop as stop:
        log(f"{stop}: stopping")
        status = 128 + stop.signum
    except (StackError, subprocess.CalledProcessError) as error:
        log(f"error: {error}")
        status, keep_logs = 1, True
    finally:
        # A second Ctrl-C must not interrupt the clean-up itself.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        stop_everything()
        if keep_logs:
            log(f"logs kept in {os.path.relpath(run_dir, ROOT)}/")
        if keep_logs and stack.quiet:
            for name in ["sandbox", "functions"]:
                path = stack.log_path(name)
                if os.path.exists(path):
                    with open(path, "rb") as f:
                        tail = f.read()[-3000:].decode(errors="replace")
                    print(f"----- last lines of {name}.log -----\n{tail}", file=sys.stderr)
        elif not keep_logs:
            shutil.rmtree(run_dir, ignore_errors=True)
        log("stopped")
    sys.exit(status)


if __name__ == "__main__":
    main()
