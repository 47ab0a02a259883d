"""`make deploy-function` against moto's Lambda and CloudFormation APIs, through the standard endpoint
variable: the code of the stack's function is replaced, its configuration and the `live` alias are not."""

from __future__ import annotations

import io
import json
import os
import socket
import struct
import subprocess
import time
import zipfile

import pytest

from conftest import ROOT

STACK = "stytch-unit-lambdas-rehearsal"
FUNCTION = "stytch-unit-lambdas-rehearsal-StepUpFunction-AbC123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def aws(tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "moto_server"), "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    import boto3

    session = boto3.Session(region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
    clients = lambda name: session.client(name, endpoint_url=env["AWS_ENDPOINT_URL"])  # noqa: E731
    try:
        yield env, clients
    finally:
        server.terminate()
        server.wait(timeout=10)


def zipped(content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bootstrap", content)
    return buffer.getvalue()


def arm64_elf(payload: bytes) -> bytes:
    """The smallest file cargo-lambda takes for an arm64 Linux binary (it reads the ELF header)."""
    header = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    header += struct.pack("<HHIQQQIHHHHHH", 2, 0xB7, 1, 0, 0, 0, 0, 64, 56, 0, 64, 0, 0)
    return header + payload


def the_stack_as_sam_left_it(clients) -> dict:
    """The step-up function as `sam deploy` leaves it: role, environment, memory, timeout, version 1 behind
    `live`; and the stack's output naming it."""
    role = clients("iam").create_role(RoleName="step-up-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lam = clients("lambda")
    lam.create_function(
        FunctionName=FUNCTION,
        Runtime="provided.al2023",
        Role=role,
        Handler="bootstrap",
        Code={"ZipFile": zipped(arm64_elf(b"the version SAM deployed"))},
        Architectures=["arm64"],
        MemorySize=256,
        Timeout=20,
        Environment={"Variables": {"STYTCH_SECRET_ID": "arn:stytch", "VENDOR_ENVIRONMENT": "sandbox"}},
        Publish=True,
    )
    lam.create_alias(FunctionName=FUNCTION, Name="live", FunctionVersion="1")
    template = {
        "Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
        "Outputs": {"StepUpFunctionName": {"Value": FUNCTION}},
    }
    clients("cloudformation").create_stack(StackName=STACK, TemplateBody=json.dumps(template))
    return lam.get_function_configuration(FunctionName=FUNCTION)


def deploy_function(env, tmp_path, *extra: str) -> subprocess.CompletedProcess:
    built = tmp_path / "lambda" / "step-up"
    built.mkdir(parents=True)
    (built / "bootstrap").write_bytes(arm64_elf(b"the one-line fix"))
    return subprocess.run(
        ["make", "--no-print-directory", "deploy-function", "FUNCTION=step-up", "STAGE=rehearsal",
         f"LAMBDA_DIR={tmp_path / 'lambda'}", *extra],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )


CONFIGURATION = ("Role", "Environment", "MemorySize", "Timeout", "Runtime", "Handler", "Architectures")


def test_the_code_is_replaced_and_what_sam_owns_is_not(aws, tmp_path):
    env, clients = aws
    before = the_stack_as_sam_left_it(clients)

    done = deploy_function(env, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr

    lam = clients("lambda")
    after = lam.get_function_configuration(FunctionName=FUNCTION)
    assert after["CodeSha256"] != before["CodeSha256"], "the code was replaced"
    assert {k: after[k] for k in CONFIGURATION} == {k: before[k] for k in CONFIGURATION}
    # A new version is published for trying out; the API's alias stays where CodeDeploy put it.
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName=FUNCTION)["Versions"]]
    assert versions == ["$LATEST", "1", "2"]
    assert lam.get_alias(FunctionName=FUNCTION, Name="live")["FunctionVersion"] == "1"
    assert lam.get_function_configuration(FunctionName=FUNCTION, Qualifier="2")["CodeSha256"] == after["CodeSha256"]


def test_alias_moves_live_to_the_new_version_but_never_in_prod(aws, tmp_path):
    env, clients = aws
    the_stack_as_sam_left_it(clients)
    done = deploy_function(env, tmp_path, "ALIAS=live")
    assert done.returncode == 0, done.stdout + done.stderr
    assert clients("lambda").get_alias(FunctionName=FUNCTION, Name="live")["FunctionVersion"] == "2"

    refused = subprocess.run(
        ["make", "--no-print-directory", "deploy-function", "FUNCTION=step-up", "STAGE=prod", "ALIAS=live"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert refused.returncode != 0 and "canary" in refused.stderr


def test_an_unknown_function_or_a_stack_without_it_is_a_clear_error(aws, tmp_path):
    env, clients = aws
    unknown = subprocess.run(
        ["make", "--no-print-directory", "deploy-function", "FUNCTION=payments"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert unknown.returncode != 0 and "usage: make deploy-function" in unknown.stderr
    missing = deploy_function(env, tmp_path)
    assert missing.returncode != 0 and f"cannot read the stack {STACK}" in missing.stderr
