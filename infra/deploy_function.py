"""`make deploy-function`: `cargo lambda deploy` of one function's freshly built code to the function the
stack created, found by the stack's outputs.

Only the code changes: cargo-lambda updates the configuration only for the flags it is given, and it is given
none, so the role, environment, memory and timeout stay as `sam deploy` set them. It publishes a version; the
`live` alias the API calls moves to it only with --alias (dev stacks), otherwise it stays with SAM and CodeDeploy.
AWS credentials, region and endpoint (AWS_ENDPOINT_URL) come from the standard variables, for boto3 and
cargo-lambda alike.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

import boto3

FUNCTIONS = ("signup", "step-up", "token-exchange", "cards", "webhooks")


def output_key(binary: str) -> str:
    """`step-up` -> `StepUpFunctionName`, the template's output naming each function."""
    return "".join(part.capitalize() for part in binary.split("-")) + "FunctionName"


def function_name(stack: str, binary: str) -> str:
    try:
        [described] = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
    except Exception as error:  # noqa: BLE001 - the SDK's message names the stack and the cause
        sys.exit(f"cannot read the stack {stack}: {error}")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    if output_key(binary) not in outputs:
        sys.exit(f"the stack {stack} has no output {output_key(binary)}: deploy it once with `make deploy` first")
    return outputs[output_key(binary)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stack", required=True)
    parser.add_argument("--function", required=True, choices=FUNCTIONS)
    parser.add_argument("--alias", help="move this alias to the new version (dev stacks; prod goes through sam deploy)")
    parser.add_argument("--lambda-dir", help="where <function>/bootstrap was built (default: target/lambda)")
    args = parser.parse_args()

    name = function_name(args.stack, args.function)
    command = ["cargo", "lambda", "deploy", name, "--binary-name", args.function]
    if args.lambda_dir:
        command += ["--lambda-dir", args.lambda_dir]
    if args.alias:
        command += ["--alias", args.alias]
    print("+", " ".join(command), flush=True)
    sys.exit(subprocess.call(command))


if __name__ == "__main__":
    main()
