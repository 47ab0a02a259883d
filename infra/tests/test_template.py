"""The SAM template: every reference is defined, and each function gets exactly what it needs."""

from __future__ import annotations

import json
import re

import pytest

from conftest import FUNCTIONS, ROOT, load_cfn, template

PSEUDO_PARAMETERS = {
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
}

SUB_VARIABLE = re.compile(r"\$\{(?!!)([^}]+)\}")

# What SAM lets a template !Ref on its own resources: `Api.Stage`, `Function.Alias`, ...
SAM_REFERENCEABLE = {
    "AWS::Serverless::HttpApi": {"Stage", "DomainName"},
    "AWS::Serverless::Function": {"Alias", "Version"},
}


# ----------------------------------------------------------------------------------------------
# (a) Every !Ref / !GetAtt / !Sub / condition name is defined. cfn-lint does not check this for
# SAM templates.
# ----------------------------------------------------------------------------------------------
def undefined_names(doc: dict) -> list[str]:
    parameters = set(doc.get("Parameters", {}))
    resources = set(doc.get("Resources", {}))
    conditions = set(doc.get("Conditions", {}))
    refable = parameters | resources | PSEUDO_PARAMETERS
    problems: list[str] = []

    def check_ref(name, where, local=frozenset()):
        if not isinstance(name, str):
            return  # an intrinsic inside Ref is invalid anyway; cfn-lint reports it
        resource, _, attribute = name.partition(".")
        kind = doc.get("Resources", {}).get(resource, {}).get("Type")
        if attribute in SAM_REFERENCEABLE.get(kind, ()):
            return
        if name not in refable and name not in local:
            problems.append(f"{where}: !Ref {name} is not a parameter, resource or pseudo parameter")

    def check_getatt(value, where):
        if isinstance(value, list) and value and isinstance(value[0], str):
            if value[0] not in resources:
                problems.append(f"{where}: !GetAtt {'.'.join(map(str, value))} names no resource")
        else:
            problems.append(f"{where}: !GetAtt {value!r} is not Resource.Attribute")

    def check_sub(value, where):
        if isinstance(value, str):
            text, local = value, set()
        elif isinstance(value, list) and value and isinstance(value[0], str):
            text, local = value[0], set(value[1] if len(value) > 1 and isinstance(value[1], dict) else {})
            if len(value) > 1:
                walk(value[1], where)
        else:
            problems.append(f"{where}: !Sub {value!r} is neither a string nor [string, variables]")
            return
        for name in SUB_VARIABLE.findall(text):
            name = name.strip()
            if name in local or name in refable:
                continue
            resource, dot, _ = name.partition(".")
            if dot and resource in resources:
                continue
            problems.append(f"{where}: !Sub ${{{name}}} is not defined")

    def check_condition(name, where):
        if name not in conditions:
            problems.append(f"{where}: condition {name!r} is not defined")

    def walk(node, where):
        if isinstance(node, dict):
            for key, value in node.items():
                here = f"{where}.{key}"
                if key == "Ref":
                    check_ref(value, where)
                elif key == "Fn::GetAtt":
                    check_getatt(value, where)
                elif key == "Fn::Sub":
                    check_sub(value, where)
                    continue
                elif key == "Fn::If":
                    if isinstance(value, list) and value:
                        check_condition(value[0], where)
                        walk(value[1:], here)
                    continue
                elif key == "Condition" and isinstance(value, str):
                    check_condition(value, where)
                walk(value, here)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, f"{where}[{index}]")

    for section in ("Rules", "Conditions", "Globals", "Resources", "Outputs"):
        walk(doc.get(section, {}), section)
    for logical_id, resource in doc.get("Resources", {}).items():
        depends = resource.get("DependsOn", [])
        for name in [depends] if isinstance(depends, str) else depends:
            if name not in resources:
                problems.append(f"Resources.{logical_id}.DependsOn: {name} is not a resource")
    return problems


def test_every_reference_is_defined():
    assert undefined_names(template()) == []


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        ("Resource: !Ref StytchSecretArnX", "!Ref StytchSecretArnX"),
        ("Resource: !Ref Role.Stage", "!Ref Role.Stage"),
        ("Resource: !GetAtt NoSuchLogGroup.Arn", "!GetAtt NoSuchLogGroup.Arn"),
        ("Resource: !Sub arn:${AWS::Partition}:logs:${NoSuchParameter}", "${NoSuchParameter}"),
        ("Resource: !If [NoSuchCondition, a, b]", "'NoSuchCondition'"),
    ],
)
def test_the_reference_check_catches_typos(broken, expected):
    doc = load_cfn(
        "Parameters: {StytchSecretArn: {Type: String}}\n"
        "Conditions: {IsA: !Equals [a, a]}\n"
        "Resources:\n"
        "  Role:\n"
        "    Type: AWS::IAM::Role\n"
        "    Properties:\n"
        f"      {broken}\n"
    )
    problems = undefined_names(doc)
    assert len(problems) == 1 and expected in problems[0], problems


def test_the_reference_check_accepts_sub_variables_and_pseudo_parameters():
    doc = load_cfn(
        "Parameters: {Stage: {Type: String}}\n"
        "Resources:\n"
        "  Api: {Type: AWS::Serverless::HttpApi}\n"
        "Outputs:\n"
        "  Url: {Value: !Sub 'https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}/${!Literal}'}\n"
        "  Other: {Value: !Sub ['${X}-${Api.ApiEndpoint}', {X: !Ref Stage}]}\n"
    )
    assert undefined_names(doc) == []


# ----------------------------------------------------------------------------------------------
# (b) Least privilege, per function.
# ----------------------------------------------------------------------------------------------
SECRET_IN_USE = {
    "stytch": {"Fn::If": ["CreateStytchSecret", {"Ref": "StytchSecret"}, {"Ref": "StytchSecretArn"}]},
    "unit": {"Fn::If": ["CreateUnitSecret", {"Ref": "UnitSecret"}, {"Ref": "UnitSecretArn"}]},
}
SECRET_ENV = {"stytch": "STYTCH_SECRET_ID", "unit": "UNIT_SECRET_ID"}

# What each function reads, as decided for this project (the function's main.rs must agree, below).
# Cards reads none: the Unit secret holds the org token, and cards calls Unit with customer tokens only.
SECRETS_NEEDED = {
    "signup": {"stytch", "unit"},
    # Unit too: SMS step-up texts the phone on the customer's KYC record, read from Unit.
    "step-up": {"stytch", "unit"},
    "token-exchange": {"stytch", "unit"},
    "cards": set(),
    # Unit: the webhook token and the org token to re-read applications; Stytch: to record them.
    "webhooks": {"stytch", "unit"},
}

ALLOWED_ACTIONS = {
    "secretsmanager:GetSecretValue",
    "logs:CreateLogStream",
    "logs:PutLogEvents",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
}
# X-Ray takes no narrower resource than "*"; nothing else may.
TRACE_WRITES = {"Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*"}


def as_list(value):
    return value if isinstance(value, list) else [value]


def function(logical_id):
    return template()["Resources"][logical_id]


def role_of(logical_id):
    role = function(logical_id)["Properties"].get("Role")
    assert isinstance(role, dict) and "Fn::GetAtt" in role, (
        f"{logical_id} must use its own role (Role: !GetAtt <Role>.Arn), not a SAM-generated one with managed policies"
    )
    role_id, attribute = role["Fn::GetAtt"]
    assert attribute == "Arn"
    resource = template()["Resources"][role_id]
    assert resource["Type"] == "AWS::IAM::Role"
    return role_id, resource["Properties"]


def statements(role_properties):
    found = []
    for policy in role_properties.get("Policies", []):
        found.extend(as_list(policy["PolicyDocument"]["Statement"]))
    return found


def log_group_of(logical_id):
    log_group = function(logical_id)["Properties"]["LoggingConfig"]["LogGroup"]
    assert isinstance(log_group, dict) and set(log_group) == {"Ref"}, f"{logical_id}: LoggingConfig.LogGroup: !Ref <LogGroup>"
    return log_group["Ref"]


def test_secrets_needed_match_each_functions_cold_start():
    for binary, needed in SECRETS_NEEDED.items():
        main = (ROOT / "functions" / binary / "src" / "main.rs").read_text()
        match = re.search(r"SecretNeeds\s*\{\s*stytch:\s*(true|false)\s*,\s*unit:\s*(true|false)\s*\}", main)
        if not needed:
            # startup::run is the cold start that reads secrets; a function without any has its own.
            assert match is None and "startup::run(" not in main, f"functions/{binary}/src/main.rs reads secrets"
            continue
        assert match, f"functions/{binary}/src/main.rs: no SecretNeeds {{ stytch, unit }}"
        declared = {name for name, flag in zip(("stytch", "unit"), match.groups()) if flag == "true"}
        assert declared == needed, f"{binary}: main.rs reads {sorted(declared)}, the template grants {sorted(needed)}"


def test_cards_has_no_secret_at_all():
    assert SECRETS_NEEDED["cards"] == set()


# What would give cards code the org token: the org client, a secret store or cache, the shared cold start
# and its Dependencies (which hand out the org client).
ORG_TOKEN_PATHS = re.compile(
    r"\b(UnitClient|SecretsStore|CachedSecret|UnitCredentials|secrets::|Dependencies|startup::(run|app))\b"
)


def test_cards_has_no_secret_access_and_no_way_to_the_org_token():
    _, role = role_of("CardsFunction")
    actions = {action for statement in statements(role) for action in as_list(statement["Action"])}
    assert not any(action.startswith("secretsmanager:") for action in actions), sorted(actions)
    environment = function("CardsFunction")["Properties"]["Environment"]["Variables"]
    assert not any(name.endswith("_SECRET_ID") for name in environment), sorted(environment)
    sources = sorted((ROOT / "functions" / "cards" / "src").rglob("*.rs"))
    assert sources
    for path in sources:
        found = ORG_TOKEN_PATHS.search(path.read_text())
        assert found is None, f"{path.relative_to(ROOT)} names {found.group(0)}: cards must not reach the org token"


def test_the_org_token_check_catches_what_it_looks_for():
    for text in ("unit: UnitClient,", "SecretsStore::new(c, &x)", "startup::run(needs, router)", "startup::Dependencies"):
        assert ORG_TOKEN_PATHS.search(text), text
    for text in ("unit: UnitCustomerClient,", "pub struct CardsDependencies {"):
        assert ORG_TOKEN_PATHS.search(text) is None, text


def test_the_vendor_environment_is_chosen_by_the_deployer_and_reaches_every_function():
    doc = template()
    parameter = doc["Parameters"]["VendorEnvironment"]
    assert "Default" not in parameter, "no silent sandbox (or live): the deployer picks one"
    assert parameter["AllowedValues"] == ["sandbox", "live"]
    assert doc["Globals"]["Function"]["Environment"]["Variables"]["VENDOR_ENVIRONMENT"] == {"Ref": "VendorEnvironment"}
    assert "UnitApiUrl" not in doc["Parameters"], "one choice, not two that could disagree"
    # Unit's URL for cards follows the environment; the Rust side checks the secrets against it.
    assert doc["Mappings"]["VendorEnvironments"] == {
        "sandbox": {"UnitApiUrl": "https://api.s.unit.sh"},
        "live": {"UnitApiUrl": "https://api.unit.co"},
    }
    environment = function("CardsFunction")["Properties"]["Environment"]["Variables"]
    assert environment["UNIT_API_URL"] == {
        "Fn::FindInMap": ["VendorEnvironments", {"Ref": "VendorEnvironment"}, "UnitApiUrl"]
    }
    for logical_id in FUNCTIONS:
        if logical_id != "CardsFunction":
            assert "UNIT_API_URL" not in function(logical_id)["Properties"]["Environment"]["Variables"], logical_id


def test_log_retention_fits_a_regulated_business():
    parameter = template()["Parameters"]["LogRetentionDays"]
    assert parameter["Default"] >= 365, "a year of audit history (PCI DSS 10.5.1)"


@pytest.mark.parametrize(("logical_id", "binary"), FUNCTIONS.items())
def test_each_function_reads_exactly_its_secrets(logical_id, binary):
    _, role = role_of(logical_id)
    granted = [
        resource
        for statement in statements(role)
        if "secretsmanager:GetSecretValue" in as_list(statement["Action"])
        for resource in as_list(statement["Resource"])
    ]
    expected = [SECRET_IN_USE[name] for name in sorted(SECRETS_NEEDED[binary])]
    assert sorted(map(repr, granted)) == sorted(map(repr, expected))

    environment = function(logical_id)["Properties"]["Environment"]["Variables"]
    for name, variable in SECRET_ENV.items():
        if name in SECRETS_NEEDED[binary]:
            assert environment.get(variable) == SECRET_IN_USE[name], f"{logical_id}: {variable}"
        else:
            assert variable not in environment, f"{logical_id} must not know {variable}"


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_each_role_allows_only_its_secrets_and_its_own_logs(logical_id):
    role_id, role = role_of(logical_id)
    assert not role.get("ManagedPolicyArns"), f"{role_id}: no managed policies"
    assert "PermissionsBoundary" not in role or role["PermissionsBoundary"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
    log_group = log_group_of(logical_id)
    for statement in statements(role):
        actions = set(as_list(statement["Action"]))
        assert statement["Effect"] == "Allow"
        assert "NotAction" not in statement and "NotResource" not in statement
        assert actions <= ALLOWED_ACTIONS, f"{role_id}: {sorted(actions - ALLOWED_ACTIONS)}"
        assert not (actions & {"secretsmanager:GetSecretValue"} and actions - {"secretsmanager:GetSecretValue"}), (
            f"{role_id}: keep secrets and logs in separate statements"
        )
        if actions <= {"logs:CreateLogStream", "logs:PutLogEvents"}:
            assert as_list(statement["Resource"]) == [{"Fn::GetAtt": [log_group, "Arn"]}], (
                f"{role_id} may write only to its own log group {log_group}"
            )
        if actions & {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}:
            assert {k: v for k, v in statement.items() if k != "Sid"} == TRACE_WRITES, role_id
    traced = template()["Globals"]["Function"]["Tracing"] == "Active"
    assert traced and any({k: v for k, v in s.items() if k != "Sid"} == TRACE_WRITES for s in statements(role))


def test_no_wildcard_resources_and_no_other_iam():
    resources = template()["Resources"]

    def wildcards(node, where):
        if isinstance(node, dict):
            if {k: v for k, v in node.items() if k != "Sid"} == TRACE_WRITES:
                return  # X-Ray's two write actions take only "*"
            for key, value in node.items():
                if key in ("Resource", "NotResource", "Action") and any(
                    isinstance(item, str) and "*" in item for item in as_list(value)
                ):
                    yield f"{where}.{key}"
                yield from wildcards(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, item in enumerate(node):
                yield from wildcards(item, f"{where}[{index}]")

    assert list(wildcards(resources, "Resources")) == []
    roles = {logical_id for logical_id, r in resources.items() if r["Type"] == "AWS::IAM::Role"}
    used = {role_of(logical_id)[0] for logical_id in FUNCTIONS}
    assert roles == used, "every role belongs to one function"
    assert len(used) == len(FUNCTIONS), "no two functions share a role"
    for logical_id, resource in resources.items():
        assert resource["Type"] not in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::User")
        if resource["Type"] == "AWS::Serverless::Function":
            assert logical_id in FUNCTIONS
            props = resource["Properties"]
            assert "Policies" not in props, f"{logical_id}: policies belong on its role"
    assert "Policies" not in template().get("Globals", {}).get("Function", {})
    assert "Role" not in template().get("Globals", {}).get("Function", {})


def test_secret_ids_are_not_global():
    variables = template()["Globals"]["Function"].get("Environment", {}).get("Variables", {})
    assert not set(SECRET_ENV.values()) & set(variables)


def test_secrets_are_given_or_created_with_a_placeholder():
    doc = template()
    for name, parameter, condition, resource, shape in (
        ("stytch", "StytchSecretArn", "CreateStytchSecret", "StytchSecret", {"project_id", "secret", "base_url"}),
        ("unit", "UnitSecretArn", "CreateUnitSecret", "UnitSecret", {"api_token", "base_url", "webhook_secret"}),
    ):
        assert doc["Parameters"][parameter]["Default"] == ""
        assert doc["Conditions"][condition] == {"Fn::Equals": [{"Ref": parameter}, ""]}
        secret = doc["Resources"][resource]
        assert secret["Type"] == "AWS::SecretsManager::Secret"
        assert secret["Condition"] == condition
        # The JSON shape with empty values: empty counts as absent, so a function refuses the placeholder
        # at cold start (naming the field) instead of sending it to Stytch or Unit as a credential.
        placeholder = json.loads(secret["Properties"]["SecretString"])
        assert set(placeholder) == shape and set(placeholder.values()) == {""}, resource
        assert re.fullmatch(doc["Parameters"][parameter]["AllowedPattern"], "")
        example = f"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/{name}-AbC123"
        assert re.fullmatch(doc["Parameters"][parameter]["AllowedPattern"], example)
        assert not re.fullmatch(doc["Parameters"][parameter]["AllowedPattern"], "*")
        assert doc["Outputs"][f"{parameter}InUse"]["Value"] == SECRET_IN_USE[name]


# ----------------------------------------------------------------------------------------------
# The rest of the shape the issue asks for.
# ----------------------------------------------------------------------------------------------
def setting(logical_id, name):
    props = function(logical_id)["Properties"]
    return props.get(name, template()["Globals"]["Function"].get(name))


@pytest.mark.parametrize(("logical_id", "binary"), FUNCTIONS.items())
def test_functions_are_rust_on_arm64_built_by_cargo_lambda(logical_id, binary):
    doc = template()
    resource = function(logical_id)
    assert resource["Type"] == "AWS::Serverless::Function"
    assert resource["Metadata"] == {"BuildMethod": "rust-cargolambda", "BuildProperties": {"Binary": binary}}
    assert setting(logical_id, "Runtime") == "provided.al2023"
    assert setting(logical_id, "Architectures") == ["arm64"]
    assert setting(logical_id, "Handler") == "bootstrap"
    assert setting(logical_id, "PackageType") in (None, "Zip")
    code_uri = (ROOT / "infra" / setting(logical_id, "CodeUri")).resolve()
    assert code_uri == ROOT, "CodeUri is the workspace root (cargo lambda builds the workspace's binaries)"
    assert f'name = "{binary}"' in (ROOT / "functions" / binary / "Cargo.toml").read_text()
    for name, parameter in (("MemorySize", "FunctionMemorySize"), ("Timeout", "FunctionTimeout")):
        assert setting(logical_id, name) == {"Ref": parameter}
        assert "Default" in doc["Parameters"][parameter]
    assert doc["Parameters"]["FunctionTimeout"]["MaxValue"] < 30, "HTTP API integrations time out at 30 s"


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_each_function_logs_to_its_own_group_with_retention(logical_id):
    log_group = template()["Resources"][log_group_of(logical_id)]
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert log_group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    groups = [log_group_of(other) for other in FUNCTIONS]
    assert len(set(groups)) == len(groups)


def test_function_configuration_comes_from_parameters():
    variables = template()["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["CORS_ALLOWED_ORIGINS"] == {"Ref": "CorsAllowedOrigins"}
    assert variables["LOG_LEVEL"] == {"Ref": "LogLevel"}
    assert variables["SESSION_DURATION_MINUTES"] == {"Ref": "SessionDurationMinutes"}
    assert variables["STEP_UP_MAX_AGE_SECONDS"] == {"Ref": "StepUpMaxAgeSeconds"}
    assert variables["JWT_MAX_TOKEN_AGE_SECONDS"] == {
        "Fn::If": ["HasJwtMaxTokenAge", {"Ref": "JwtMaxTokenAgeSeconds"}, {"Ref": "AWS::NoValue"}]
    }
    signup = function("SignupFunction")["Properties"]["Environment"]["Variables"]
    assert signup["MAGIC_LINK_REDIRECT_URL"] == {"Ref": "MagicLinkRedirectUrl"}
    assert signup["APPLICATION_FORM_REDIRECT_URL"] == {"Ref": "ApplicationFormRedirectUrl"}
    assert signup["REQUIRE_PKCE"] == {"Ref": "RequirePkce"}
    assert template()["Parameters"]["RequirePkce"]["Default"] == "false", "PKCE is opt-in for a deployment"
    exchange = function("TokenExchangeFunction")["Properties"]["Environment"]["Variables"]
    assert exchange["SENSITIVE_TOKEN_MAX_SECONDS"] == {"Ref": "SensitiveTokenMaxSeconds"}
    assert template()["Parameters"]["SensitiveTokenMaxSeconds"]["Default"] == 900


def test_http_api_stage_cors_throttling_and_access_logs():
    doc = template()
    apis = [r for r in doc["Resources"].values() if r["Type"] == "AWS::Serverless::HttpApi"]
    assert len(apis) == 1
    api = apis[0]["Properties"]
    # lambda_http prefixes a named stage to the path (/dev/signup) and the routers would not match.
    assert api["StageName"] == "$default"
    cors = api["CorsConfiguration"]
    assert cors["AllowOrigins"] == {"Fn::Split": [",", {"Ref": "CorsAllowedOrigins"}]}
    # Exactly the methods the routes use (a browser's PUT of a document needs PUT here, removing a phone DELETE).
    used = {
        event["Properties"]["Method"].upper()
        for resource in doc["Resources"].values()
        for event in resource.get("Properties", {}).get("Events", {}).values()
        if event.get("Type") == "HttpApi"
    }
    assert sorted(cors["AllowMethods"]) == sorted(used) == ["DELETE", "GET", "POST", "PUT"]
    assert sorted(h.lower() for h in cors["AllowHeaders"]) == [
        "authorization",
        "content-type",
        "idempotency-key",
        "x-requested-with",
    ]
    # Credentials (the session cookie) only in cookie mode, and never with a wildcard origin, which API
    # Gateway refuses beside AllowCredentials.
    assert cors["AllowCredentials"] == {"Fn::If": ["SessionCookieMode", True, False]}
    assert doc["Conditions"]["SessionCookieMode"] == {"Fn::Equals": [{"Ref": "SessionCookie"}, "true"]}
    assert doc["Parameters"]["SessionCookie"]["Default"] == "false", "cookie mode is opt-in"
    origins = doc["Parameters"]["CorsAllowedOrigins"]
    assert "*" not in origins["Default"]
    assert not re.fullmatch(origins["AllowedPattern"], "*")
    assert not re.fullmatch(origins["AllowedPattern"], "https://app.example.com,*")
    for logical_id in ("SignupFunction", "StepUpFunction"):
        variables = doc["Resources"][logical_id]["Properties"]["Environment"]["Variables"]
        assert variables["SESSION_COOKIE"] == {"Ref": "SessionCookie"}, logical_id
    assert api["DefaultRouteSettings"] == {
        "ThrottlingBurstLimit": {"Ref": "ThrottlingBurstLimit"},
        "ThrottlingRateLimit": {"Ref": "ThrottlingRateLimit"},
    }
    access = api["AccessLogSettings"]
    log_group_id, attribute = access["DestinationArn"]["Fn::GetAtt"]
    assert attribute == "Arn"
    log_group = doc["Resources"][log_group_id]
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert log_group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert "$context.requestId" in access["Format"]
    assert "authorization" not in access["Format"].lower(), "access logs never carry credentials"
    for logical_id in FUNCTIONS:
        for event in function(logical_id)["Properties"]["Events"].values():
            assert event["Properties"]["ApiId"] == {"Ref": "Api"}
            assert event["Properties"].get("PayloadFormatVersion") == "2.0"
    assert "ApiUrl" in doc["Outputs"]
