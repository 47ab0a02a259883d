"""Alarms, safe deployments, reserved concurrency and the custom domain: what the template asks of
CloudWatch, CodeDeploy and API Gateway exists, and nothing widens what the functions may do."""

from __future__ import annotations

import re

import pytest

from conftest import FUNCTIONS, ROOT, TEMPLATE, template, translated

# Metrics AWS publishes, per namespace, with the dimension set these alarms use and the resource type
# that dimension names. HTTP APIs publish 4xx/5xx/Count (REST APIs' 4XXError/5XXError would never arrive).
AWS_METRICS = {
    "AWS/Lambda": (
        {"Errors", "Throttles", "Duration", "Invocations", "ConcurrentExecutions"},
        "FunctionName",
        "AWS::Serverless::Function",
    ),
    "AWS/ApiGateway": (
        {"4xx", "5xx", "Count", "Latency", "IntegrationLatency", "DataProcessed"},
        "ApiId",
        "AWS::Serverless::HttpApi",
    ),
}
METRIC_MATH_FUNCTIONS = {"IF", "SUM", "FILL", "AVG", "MAX", "MIN", "ABS", "RATE"}


def resources_of(kind: str) -> dict:
    return {name: r for name, r in template()["Resources"].items() if r["Type"] == kind}


def alarm_metrics(alarm: dict) -> list[dict]:
    props = alarm["Properties"]
    if "MetricName" in props:
        return [{k: props[k] for k in ("Namespace", "MetricName", "Dimensions") if k in props}]
    return [m["MetricStat"]["Metric"] for m in props["Metrics"] if "MetricStat" in m]


def metric_filter_outputs() -> set[tuple[str, str]]:
    return {
        (repr(t["MetricNamespace"]), t["MetricName"])
        for f in resources_of("AWS::Logs::MetricFilter").values()
        for t in f["Properties"]["MetricTransformations"]
    }


def test_there_are_alarms_for_what_the_issue_names():
    alarms = resources_of("AWS::CloudWatch::Alarm")
    for logical_id in FUNCTIONS:
        name = logical_id.removesuffix("Function")
        for kind in ("Errors", "Throttles", "Duration"):
            assert f"{name}{kind}Alarm" in alarms
    assert {"Api5xxRateAlarm", "UpstreamErrorRateAlarm", "WebhookFailuresAlarm"} <= set(alarms)


@pytest.mark.parametrize("alarm_id", sorted(resources_of("AWS::CloudWatch::Alarm")))
def test_every_alarm_reads_a_metric_that_exists_on_a_resource_of_this_stack(alarm_id):
    alarm = template()["Resources"][alarm_id]
    metrics = alarm_metrics(alarm)
    assert metrics, f"{alarm_id} reads no metric"
    produced = metric_filter_outputs()
    for metric in metrics:
        namespace = metric["Namespace"]
        if isinstance(namespace, str) and namespace in AWS_METRICS:
            names, dimension, kind = AWS_METRICS[namespace]
            assert metric["MetricName"] in names, f"{alarm_id}: {namespace} publishes no {metric['MetricName']}"
            [only] = metric["Dimensions"]
            assert only["Name"] == dimension, f"{alarm_id}: {namespace} is per {dimension}"
            target = only["Value"]["Ref"]
            assert template()["Resources"][target]["Type"] == kind, f"{alarm_id}: {target} is not a {kind}"
        else:
            assert (repr(namespace), metric["MetricName"]) in produced, (
                f"{alarm_id}: no metric filter writes {metric['MetricName']} to {namespace}"
            )


@pytest.mark.parametrize(
    "alarm_id",
    sorted(a for a, r in resources_of("AWS::CloudWatch::Alarm").items() if "Metrics" in r["Properties"]),
)
def test_metric_math_names_only_its_own_metrics_and_returns_one_series(alarm_id):
    metrics = template()["Resources"][alarm_id]["Properties"]["Metrics"]
    ids = {m["Id"] for m in metrics}
    assert [m["Id"] for m in metrics if m.get("ReturnData", True)] == [metrics[-1]["Id"]]
    for m in metrics:
        expression = m.get("Expression")
        if isinstance(expression, dict):
            expression = expression["Fn::Sub"]
        if expression:
            names = set(re.findall(r"\b[A-Za-z_][A-Za-z0-9_]*\b", re.sub(r"\$\{[^}]+\}", "0", expression)))
            assert names - METRIC_MATH_FUNCTIONS <= ids, f"{alarm_id}: {sorted(names - METRIC_MATH_FUNCTIONS - ids)}"


def rust_sources() -> str:
    return "\n".join(p.read_text() for d in ("shared/src", "functions") for p in (ROOT / d).rglob("*.rs"))


def test_metric_filters_match_log_lines_the_code_writes():
    sources = rust_sources()
    filters = resources_of("AWS::Logs::MetricFilter")
    assert filters
    for filter_id, f in filters.items():
        values = re.findall(r'\$\.(message|code) = "([^"]+)"', f["Properties"]["FilterPattern"])
        assert values, filter_id
        for field, value in values:
            assert f'"{value}"' in sources, f"{filter_id}: no code writes {field} {value!r}"
        log_group = f["Properties"]["LogGroupName"]["Ref"]
        assert template()["Resources"][log_group]["Type"] == "AWS::Logs::LogGroup"


def test_the_log_line_check_catches_a_renamed_message():
    assert '"request failed"' in rust_sources()
    assert '"request failed!"' not in rust_sources()


@pytest.mark.parametrize("alarm_id", sorted(resources_of("AWS::CloudWatch::Alarm")))
def test_every_alarm_notifies_the_alarm_topic_and_defends_its_threshold(alarm_id):
    topic = {
        "Fn::If": [
            "NotifiesAlarms",
            [{"Fn::If": ["HasAlarmTopicArn", {"Ref": "AlarmTopicArn"}, {"Ref": "AlarmTopic"}]}],
            {"Ref": "AWS::NoValue"},
        ]
    }
    props = template()["Resources"][alarm_id]["Properties"]
    assert props["AlarmActions"] == topic and props["OKActions"] == topic
    assert props["TreatMissingData"] == "notBreaching", "no traffic is not an outage"
    # The comment beside the threshold: a `#` line inside the alarm's block of the YAML.
    text = TEMPLATE.read_text()
    block = text[text.index(f"\n  {alarm_id}:\n") + 1 :]
    block = block[: re.search(r"\n  [A-Za-z0-9]+:\n", block[1:]).start() + 1]
    assert re.search(r"\n +# .+", block), f"{alarm_id}: say why its threshold is what it is"


def test_the_alarm_topic_is_created_only_for_an_e_mail_and_no_topic():
    doc = template()
    assert doc["Resources"]["AlarmTopic"]["Condition"] == "CreateAlarmTopic"
    [subscription] = doc["Resources"]["AlarmTopic"]["Properties"]["Subscription"]
    assert subscription == {"Protocol": "email", "Endpoint": {"Ref": "AlarmEmail"}}
    assert doc["Parameters"]["AlarmEmail"]["Default"] == doc["Parameters"]["AlarmTopicArn"]["Default"] == ""


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_every_function_has_its_alias_and_a_deployment_preference_rolled_back_by_its_alarms(logical_id):
    doc = template()
    assert doc["Globals"]["Function"]["AutoPublishAlias"] == "live"
    preference = doc["Resources"][logical_id]["Properties"]["DeploymentPreference"]
    assert preference["Type"] == {"Ref": "DeploymentStrategy"}
    assert doc["Parameters"]["DeploymentStrategy"]["Default"].startswith("Canary")
    name = logical_id.removesuffix("Function")
    alarms = {ref["Ref"] for ref in preference["Alarms"]}
    assert alarms == {f"{name}ErrorsAlarm", f"{name}DurationAlarm", "Api5xxRateAlarm"}
    for alarm in alarms - {"Api5xxRateAlarm"}:
        dimensions = [d for m in alarm_metrics(doc["Resources"][alarm]) for d in m.get("Dimensions", [])]
        assert dimensions == [{"Name": "FunctionName", "Value": {"Ref": logical_id}}], alarm

    # As CloudFormation gets it: an alias, a CodeDeploy group watching those alarms, and the API calling the alias.
    out = translated()["Resources"]
    assert out[f"{logical_id}Aliaslive"]["Type"] == "AWS::Lambda::Alias"
    group = out[f"{logical_id}DeploymentGroup"]["Properties"]
    assert {a["Name"]["Ref"] for a in group["AlarmConfiguration"]["Alarms"]} == alarms
    assert "DEPLOYMENT_STOP_ON_ALARM" in group["AutoRollbackConfiguration"]["Events"]
    permissions = [r for r in out.values() if r["Type"] == "AWS::Lambda::Permission"]
    mine = [p for p in permissions if p["Properties"]["FunctionName"] == {"Ref": f"{logical_id}Aliaslive"}]
    assert mine and not [p for p in permissions if p["Properties"]["FunctionName"] == {"Ref": logical_id}]


def test_least_privilege_holds_in_the_translated_template():
    out = translated()["Resources"]
    roles = {name: r for name, r in out.items() if r["Type"] == "AWS::IAM::Role"}
    function_roles = {f"{logical_id.removesuffix('Function')}Role" for logical_id in FUNCTIONS}
    # SAM adds one role: CodeDeploy's, with AWS's policy for shifting Lambda aliases and nothing else.
    assert set(roles) == function_roles | {"CodeDeployServiceRole"}
    codedeploy = roles["CodeDeployServiceRole"]["Properties"]
    assert codedeploy["ManagedPolicyArns"] == ["arn:aws:iam::aws:policy/service-role/AWSCodeDeployRoleForLambda"]
    assert codedeploy["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": ["codedeploy.amazonaws.com"]}
    assert "Policies" not in codedeploy
    for role in function_roles:
        assert "ManagedPolicyArns" not in roles[role]["Properties"], f"SAM added a managed policy to {role}"
    assert not [r for r in out.values() if r["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")]


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_reserved_concurrency_is_a_parameter_per_function(logical_id):
    name = logical_id.removesuffix("Function")
    doc = template()
    assert doc["Resources"][logical_id]["Properties"]["ReservedConcurrentExecutions"] == {
        "Fn::If": [f"Has{name}ReservedConcurrency", {"Ref": f"{name}ReservedConcurrency"}, {"Ref": "AWS::NoValue"}]
    }
    assert doc["Parameters"][f"{name}ReservedConcurrency"]["Default"] == ""


def test_the_custom_domain_is_optional_and_needs_its_certificate():
    doc = template()
    for resource in ("ApiDomain", "ApiDomainMapping"):
        assert doc["Resources"][resource]["Condition"] == "HasCustomDomain"
    config = doc["Resources"]["ApiDomain"]["Properties"]["DomainNameConfigurations"]
    assert config == [{"CertificateArn": {"Ref": "DomainCertificateArn"}, "EndpointType": "REGIONAL", "SecurityPolicy": "TLS_1_2"}]
    rule = doc["Rules"]["CustomDomainNeedsItsCertificate"]
    assert rule["Assertions"][0]["Assert"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "DomainCertificateArn"}, ""]}]}
    mapping = translated(DomainName="api.bank.example")["Resources"]["ApiDomainMapping"]["Properties"]
    assert mapping["Stage"] == {"Ref": "ApiApiGatewayDefaultStage"}, "mapped to the stage SAM creates"
