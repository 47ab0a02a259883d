"""infra/deploy-role.yaml and .github/workflows: GitHub deploys through CloudFormation with a role only its
deploy jobs can assume, and CloudFormation's role can create what the stack holds and little else."""

from __future__ import annotations

from functools import lru_cache

import pytest
import yaml

from conftest import ROOT, load_cfn, translated

DEPLOY_ROLE = ROOT / "infra" / "deploy-role.yaml"
WORKFLOWS = ROOT / ".github" / "workflows"

# What CloudFormation must be allowed to call to create each resource type of the translated stack.
CREATES = {
    "AWS::Lambda::Function": "lambda:CreateFunction",
    "AWS::Lambda::Version": "lambda:PublishVersion",
    "AWS::Lambda::Alias": "lambda:CreateAlias",
    "AWS::Lambda::Permission": "lambda:AddPermission",
    "AWS::IAM::Role": "iam:CreateRole",
    "AWS::Logs::LogGroup": "logs:CreateLogGroup",
    "AWS::Logs::MetricFilter": "logs:PutMetricFilter",
    "AWS::CloudWatch::Alarm": "cloudwatch:PutMetricAlarm",
    "AWS::SNS::Topic": "sns:CreateTopic",
    "AWS::CodeDeploy::Application": "codedeploy:CreateApplication",
    "AWS::CodeDeploy::DeploymentGroup": "codedeploy:CreateDeploymentGroup",
    "AWS::ApiGatewayV2::Api": "apigateway:POST",
    "AWS::ApiGatewayV2::Stage": "apigateway:POST",
    "AWS::ApiGatewayV2::DomainName": "apigateway:POST",
    "AWS::ApiGatewayV2::ApiMapping": "apigateway:POST",
    "AWS::SecretsManager::Secret": "secretsmanager:CreateSecret",
    "AWS::WAFv2::WebACL": "wafv2:CreateWebACL",
    "AWS::WAFv2::LoggingConfiguration": "wafv2:PutLoggingConfiguration",
    "AWS::CloudFront::Distribution": "cloudfront:CreateDistribution",
}
# Account-level calls that take no narrower resource.
ACCOUNT_LEVEL = {
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
    "logs:DescribeMetricFilters",
    "cloudwatch:DescribeAlarms",
    "codedeploy:GetDeploymentConfig",
}


@lru_cache(maxsize=None)
def deploy_role() -> dict:
    return load_cfn(DEPLOY_ROLE.read_text())


def statements(role_id: str) -> list[dict]:
    role = deploy_role()["Resources"][role_id]["Properties"]
    return [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]


def as_list(value):
    return value if isinstance(value, list) else [value]


def test_only_the_repositorys_deploy_jobs_can_assume_the_github_role():
    role = deploy_role()["Resources"]["GitHubDeployRole"]["Properties"]
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    condition = trust["Condition"]
    assert condition["StringEquals"] == {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}
    # A job in a GitHub environment of this repository: the deploy job, not a pull request's CI job.
    assert condition["StringLike"] == {
        "token.actions.githubusercontent.com:sub": {"Fn::Sub": "repo:${GitHubRepository}:environment:*"}
    }
    assert "Policies" in role and not role.get("ManagedPolicyArns")


def test_the_github_role_can_only_run_change_sets_and_hand_them_to_cloudformation():
    for statement in statements("GitHubDeployRole"):
        actions = set(as_list(statement["Action"]))
        services = {action.split(":")[0] for action in actions}
        assert services <= {"cloudformation", "iam", "s3"}, statement["Sid"]
        assert "*" not in as_list(statement["Resource"]), statement["Sid"]
        if "iam" in services:
            assert actions == {"iam:PassRole"}
            assert statement["Resource"] == {"Fn::GetAtt": ["CloudFormationRole", "Arn"]}
            assert statement["Condition"] == {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}


def test_cloudformation_s_role_is_for_cloudformation_and_scoped():
    role = deploy_role()["Resources"]["CloudFormationRole"]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "cloudformation.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
    for statement in statements("CloudFormationRole"):
        actions = set(as_list(statement["Action"]))
        assert not any("*" in action for action in actions), statement["Sid"]
        if "*" in as_list(statement["Resource"]):
            assert actions <= ACCOUNT_LEVEL, f"{statement['Sid']}: {sorted(actions - ACCOUNT_LEVEL)} on *"
        if actions & {"iam:AttachRolePolicy", "iam:DetachRolePolicy"}:
            assert "iam:PolicyARN" in statement["Condition"]["ArnEquals"], "only CodeDeploy's managed policy"


@pytest.mark.parametrize("parameters", [{}, {"DomainName": "api.bank.example", "AlarmEmail": "ops@bank.example"}])
def test_cloudformation_s_role_can_create_every_resource_of_the_stack(parameters):
    allowed = {a for s in statements("CloudFormationRole") for a in as_list(s["Action"])}
    for logical_id, resource in translated(**parameters)["Resources"].items():
        kind = resource["Type"]
        assert kind in CREATES, f"{logical_id}: a new resource type {kind}: grant it in infra/deploy-role.yaml"
        assert CREATES[kind] in allowed, f"{logical_id}: CloudFormationRole lacks {CREATES[kind]}"


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def test_the_deploy_workflow_signs_in_by_oidc_in_the_stage_s_environment():
    deploy = workflow("deploy.yml")
    [job] = deploy["jobs"].values()
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    assert job["environment"] == "${{ inputs.stage || 'dev' }}", "prod's reviewers approve in its environment"
    steps = {step.get("uses", "").split("@")[0]: step for step in job["steps"]}
    credentials = steps["aws-actions/configure-aws-credentials"]["with"]
    assert credentials["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
    assert not any("secrets." in str(step) for step in job["steps"]), "no stored AWS keys"
    env = next(step for step in job["steps"] if step.get("run", "").startswith("make deploy-ci"))["env"]
    outputs = deploy_role()["Outputs"]
    for variable in ("CLOUDFORMATION_ROLE_ARN", "SAM_ARTIFACTS_BUCKET"):
        assert env[variable] == f"${{{{ vars.{variable} }}}}"
        assert any(variable in o["Description"] for o in outputs.values()), variable
    assert any("AWS_DEPLOY_ROLE_ARN" in o["Description"] for o in outputs.values())


def test_ci_runs_make_test_without_cloud_credentials():
    ci = workflow("ci.yml")
    assert ci["permissions"] == {"contents": "read"}
    [job] = ci["jobs"].values()
    assert "id-token" not in str(job.get("permissions", {})) and "environment" not in job
    assert job["steps"][-1]["run"] == "make test"
