"""Edge protection: CloudFront + AWS WAF in front of the HTTP API, behind EdgeProtection. Per-client limits
cover exactly the sign-up and step-up routes, and a blocked client gets our own problem+json."""

from __future__ import annotations

import json

import pytest

from conftest import schema_errors, template, template_routes

EDGE = ("EdgeWebAcl", "EdgeWebAclLogGroup", "EdgeWebAclLogging", "EdgeDistribution")


def resource(name: str) -> dict:
    return template()["Resources"][name]


def rule(name: str) -> dict:
    [found] = [r for r in resource("EdgeWebAcl")["Properties"]["Rules"] if r["Name"] == name]
    return found


def matches(statement: dict, path: str) -> bool:
    """WAF's evaluation of the statements used here, on a URI path."""
    if "OrStatement" in statement:
        return any(matches(s, path) for s in statement["OrStatement"]["Statements"])
    byte_match = statement["ByteMatchStatement"]
    assert byte_match["FieldToMatch"] == {"UriPath": {}}
    assert byte_match["PositionalConstraint"] == "STARTS_WITH"
    assert byte_match["TextTransformations"] == [{"Priority": 0, "Type": "LOWERCASE"}]
    return path.lower().startswith(byte_match["SearchString"])


def test_edge_protection_is_off_by_default_and_all_or_nothing():
    doc = template()
    assert doc["Parameters"]["EdgeProtection"]["Default"] == "disabled"
    assert doc["Conditions"]["HasEdgeProtection"] == {"Fn::Equals": [{"Ref": "EdgeProtection"}, "enabled"]}
    for name in EDGE:
        assert resource(name)["Condition"] == "HasEdgeProtection", name
    assert doc["Outputs"]["EdgeUrl"]["Condition"] == "HasEdgeProtection"
    assertion = doc["Rules"]["EdgeProtectionRunsInUsEast1"]["Assertions"][0]["Assert"]
    assert assertion == {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}, "CloudFront's web ACLs live there"


@pytest.mark.parametrize(
    ("rule_name", "parameter", "prefixes"),
    [
        ("signup-per-client", "SignupRateLimitPerClient", ("/signup", "/customers/link")),
        ("step-up-per-client", "StepUpRateLimitPerClient", ("/step-up/",)),
    ],
)
def test_the_per_client_limits_cover_exactly_their_routes(rule_name, parameter, prefixes):
    statement = rule(rule_name)["Statement"]["RateBasedStatement"]
    assert statement["Limit"] == {"Ref": parameter}
    assert statement["AggregateKeyType"] == "IP" and statement["EvaluationWindowSec"] == 300
    routes = {path for paths in template_routes().values() for _, path in paths}
    covered = {path for path in routes if matches(statement["ScopeDownStatement"], path)}
    expected = {path for path in routes if path.startswith(prefixes)}
    assert expected and covered == expected
    assert matches(statement["ScopeDownStatement"], prefixes[0].upper() + "x"), "case does not get around it"


def test_everything_has_a_looser_per_client_limit_and_aws_lists_of_bad_ips_and_inputs():
    overall = rule("api-per-client")["Statement"]["RateBasedStatement"]
    assert overall == {"Limit": {"Ref": "ApiRateLimitPerClient"}, "EvaluationWindowSec": 300, "AggregateKeyType": "IP"}
    for name, group in (("aws-ip-reputation", "AWSManagedRulesAmazonIpReputationList"),
                        ("aws-known-bad-inputs", "AWSManagedRulesKnownBadInputsRuleSet")):
        assert rule(name)["Statement"]["ManagedRuleGroupStatement"] == {"VendorName": "AWS", "Name": group}
        assert rule(name)["OverrideAction"] == {"None": {}}, "the group's own block actions apply"


def test_a_blocked_client_gets_our_429_rate_limited_problem():
    acl = resource("EdgeWebAcl")["Properties"]
    assert acl["Scope"] == "CLOUDFRONT" and acl["DefaultAction"] == {"Allow": {}}
    for name in ("signup-per-client", "step-up-per-client", "api-per-client"):
        response = rule(name)["Action"]["Block"]["CustomResponse"]
        assert response["ResponseCode"] == 429
        assert {"Name": "retry-after", "Value": "60"} in response["ResponseHeaders"]
        body = acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]
        assert body["ContentType"] == "APPLICATION_JSON"
        problem = json.loads(body["Content"])
        assert schema_errors("/components/schemas/Problem", problem) == []
        assert problem["status"] == 429 and problem["code"] == "rate_limited"


def test_cloudfront_forwards_everything_caches_nothing_and_logs_no_credential():
    config = resource("EdgeDistribution")["Properties"]["DistributionConfig"]
    assert config["WebACLId"] == {"Fn::GetAtt": ["EdgeWebAcl", "Arn"]}
    [origin] = config["Origins"]
    assert origin["DomainName"] == {"Fn::Sub": "${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}
    assert origin["CustomOriginConfig"] == {"OriginProtocolPolicy": "https-only", "OriginSSLProtocols": ["TLSv1.2"]}
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "https-only"
    assert behavior["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "CachingDisabled"
    assert behavior["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac", "AllViewerExceptHostHeader"
    used = {m for paths in template_routes().values() for m, _ in paths} | {"OPTIONS"}
    assert used <= set(behavior["AllowedMethods"])
    logging = resource("EdgeWebAclLogging")["Properties"]
    assert {"SingleHeader": {"Name": "authorization"}} in logging["RedactedFields"]
    group = resource("EdgeWebAclLogGroup")["Properties"]
    assert group["LogGroupName"]["Fn::Sub"].startswith("aws-waf-logs-"), "WAF logs only to such groups"
    assert group["RetentionInDays"] == {"Ref": "LogRetentionDays"}
