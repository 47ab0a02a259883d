# Everything a developer or CI runs. `make test` and `make demo` set up what they need themselves.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
VENV_STAMP  := $(VENV)/.installed
PYTHON      ?= python3
CARGO       ?= cargo
# nextest when installed (it is on the project's machines), plain cargo test otherwise.
NEXTEST     := $(shell $(CARGO) nextest --version >/dev/null 2>&1 && echo yes)
NEXTEST_PROFILE := $(if $(CI),ci,default)
FUNCTIONS   := signup step-up token-exchange cards webhooks

export MOTO_SERVER := $(CURDIR)/$(VENV)/bin/moto_server

.PHONY: help
help: ## List the targets.
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV_STAMP): tests/requirements.txt
	@test -x $(VENV)/bin/pip || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/requirements.txt
	@touch $@

.PHONY: venv
venv: $(VENV_STAMP) ## Create the project-local Python environment (moto, ...).

.PHONY: lint
lint: ## cargo fmt --check and clippy with warnings as errors.
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

.PHONY: test
test: venv lint validate fuzz-api test-web ## Every test: lint, unit, integration (moto, sandbox), API fuzzing, browser.
ifeq ($(NEXTEST),yes)
	$(CARGO) nextest run --workspace --profile $(NEXTEST_PROFILE)
else
	$(CARGO) test --workspace
endif

.PHONY: fuzz-api
# Schemathesis (tests/schemathesis/run.py) against infra/openapi.yaml over a fresh local stack, or over a running
# `make dev` when API_URL and STYTCH_URL are exported. FUZZ_ARGS go to `schemathesis run` (e.g. `--include-tag cards`).
fuzz-api: venv ## API fuzzing: every response must match infra/openapi.yaml (Schemathesis, 20 cases per route).
	@$(CARGO) build --quiet -p demo
	$(VENV)/bin/python tests/schemathesis/run.py $(FUZZ_ARGS)

.PHONY: test-soak
# Not part of `make test` (which runs the same suite smaller): tests/security with 4 rounds of 500
# concurrent journeys and 2000 cases per bad-input property. See SECURITY.md.
test-soak: venv ## Longer security run: 4 x 500 concurrent journeys, 2000 fuzz cases per property.
	SECURITY_LOAD_JOURNEYS=500 SECURITY_LOAD_ROUNDS=4 SECURITY_CASES=2000 $(CARGO) test -p security-suite -- --test-threads=1

.PHONY: bench
# Not part of `make test`. Method and figures: BENCHMARKS.md. BENCH_ARGS e.g. `--only micro,warm`,
# `--runs 20`, `--lambda-build arm64` (a full cross build first).
bench: venv ## Performance figures (micro, warm overhead, cold start, RSS, size) -> target/bench/results.json.
	$(VENV)/bin/python tests/bench/run.py $(BENCH_ARGS)

.PHONY: bench-check bench-baseline
# Instruction counts (callgrind) of the guarded paths against tests/bench/instructions-baseline.json.
# Not part of `make test`: release bench builds and several minutes under valgrind. BENCHMARKS.md.
bench-check: venv ## Fail when a guarded path's instruction count grew by more than 10 % (callgrind).
	$(VENV)/bin/python tests/bench/run.py --check $(BENCH_ARGS)

bench-baseline: venv ## Refresh tests/bench/instructions-baseline.json on purpose (commit it with the reason).
	$(VENV)/bin/python tests/bench/run.py --update-baseline $(BENCH_ARGS)

.PHONY: build
build: venv ## Release zips for arm64 Lambda (cargo lambda build).
	rustup target add aarch64-unknown-linux-gnu >/dev/null 2>&1 || true
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(CARGO) lambda build --release --arm64 --output-format zip $(addprefix --bin ,$(FUNCTIONS))

.PHONY: validate
validate: venv ## Offline infrastructure checks: cfn-lint, sam validate --lint, jactionlint, infra/tests.
	$(VENV)/bin/cfn-lint infra/template.yaml infra/deploy-role.yaml
	SAM_CLI_TELEMETRY=0 $(VENV)/bin/sam validate --lint --region us-east-1 -t infra/template.yaml
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(VENV)/bin/jactionlint
	PYTHONDONTWRITEBYTECODE=1 $(VENV)/bin/python -m pytest -q -p no:cacheprovider -rfEs infra/tests

# `make deploy`: sam build, then sam deploy. Guided (questions, answers saved to infra/samconfig.toml
# under [$(STAGE)]) the first time for a stage, when GUIDED=1, or when a parameter below is given.
STAGE       ?= dev
STACK_NAME  ?= stytch-unit-lambdas-$(STAGE)
SAMCONFIG   := $(CURDIR)/infra/samconfig.toml
SAM         := SAM_CLI_TELEMETRY=0 PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(VENV)/bin/sam
DEPLOY_OVERRIDES := Stage=$(STAGE) \
	$(if $(STYTCH_SECRET_ARN),StytchSecretArn=$(STYTCH_SECRET_ARN)) \
	$(if $(UNIT_SECRET_ARN),UnitSecretArn=$(UNIT_SECRET_ARN)) \
	$(if $(VENDOR_ENVIRONMENT),VendorEnvironment=$(VENDOR_ENVIRONMENT)) \
	$(if $(CORS_ALLOWED_ORIGINS),'CorsAllowedOrigins="$(CORS_ALLOWED_ORIGINS)"') \
	$(if $(ALARM_EMAIL),AlarmEmail=$(ALARM_EMAIL)) \
	$(if $(ALARM_TOPIC_ARN),AlarmTopicArn=$(ALARM_TOPIC_ARN)) \
	$(if $(DEPLOYMENT_STRATEGY),DeploymentStrategy=$(DEPLOYMENT_STRATEGY))
DEPLOY_GUIDED := $(or $(GUIDED),$(STYTCH_SECRET_ARN),$(UNIT_SECRET_ARN),$(VENDOR_ENVIRONMENT),$(CORS_ALLOWED_ORIGINS),$(ALARM_EMAIL),$(ALARM_TOPIC_ARN),$(DEPLOYMENT_STRATEGY))

.PHONY: deploy
deploy: validate ## sam build + sam deploy (STAGE=dev; guided on first use or GUIDED=1).
	rustup target add aarch64-unknown-linux-gnu >/dev/null 2>&1 || true
	$(SAM) build -t infra/template.yaml
	@if [ -n "$(DEPLOY_GUIDED)" ] || ! grep -qs '^\[$(STAGE)\.deploy' $(SAMCONFIG); then \
	  set -x; $(SAM) deploy --guided --template-file .aws-sam/build/template.yaml \
	    --config-file $(SAMCONFIG) --config-env $(STAGE) --stack-name $(STACK_NAME) \
	    --parameter-overrides $(strip $(DEPLOY_OVERRIDES)); \
	else \
	  set -x; $(SAM) deploy --template-file .aws-sam/build/template.yaml \
	    --config-file $(SAMCONFIG) --config-env $(STAGE); \
	fi

# `make deploy-ci`: the deploy workflow's deploy (.github/workflows/deploy.yml), no questions. Parameters come
# from the variables above (VENDOR_ENVIRONMENT, the secret ARNs, ...); those not given keep the stack's values.
# CloudFormation acts as CLOUDFORMATION_ROLE_ARN; the artifacts go to SAM_ARTIFACTS_BUCKET (infra/deploy-role.yaml).
.PHONY: deploy-ci
deploy-ci: venv ## sam build + sam deploy without questions (the GitHub deploy workflow; see README).
	@test -n "$(SAM_ARTIFACTS_BUCKET)" -a -n "$(CLOUDFORMATION_ROLE_ARN)" || { echo "set SAM_ARTIFACTS_BUCKET and CLOUDFORMATION_ROLE_ARN (infra/deploy-role.yaml outputs)" >&2; exit 2; }
	rustup target add aarch64-unknown-linux-gnu >/dev/null 2>&1 || true
	$(SAM) build -t infra/template.yaml
	$(SAM) deploy --template-file .aws-sam/build/template.yaml --stack-name $(STACK_NAME) \
	  --s3-bucket $(SAM_ARTIFACTS_BUCKET) --s3-prefix $(STACK_NAME) --role-arn $(CLOUDFORMATION_ROLE_ARN) \
	  --capabilities CAPABILITY_IAM --no-confirm-changeset --no-fail-on-empty-changeset \
	  --tags project=stytch-unit-lambdas stage=$(STAGE) \
	  --parameter-overrides $(strip $(DEPLOY_OVERRIDES))

# `make deploy-function FUNCTION=cards [STAGE=dev] [ALIAS=live] [LAMBDA_DIR=...]`: a one-function fix without a
# stack update (README, "Deploying one function with cargo lambda"). ALIAS moves that alias to the new version at
# once, skipping the canary: refused for prod. LAMBDA_DIR deploys an existing build instead of building.
.PHONY: deploy-function
deploy-function: venv ## cargo lambda build + deploy of one function's code to the stack's function (FUNCTION=...).
	@case " $(FUNCTIONS) " in *" $(FUNCTION) "*) ;; *) echo "usage: make deploy-function FUNCTION=<$(FUNCTIONS)> [STAGE=dev] [ALIAS=live]" >&2; exit 2;; esac
	@test -z "$(ALIAS)" -o "$(STAGE)" != prod || { echo "prod moves its alias through sam deploy's canary, not ALIAS=" >&2; exit 2; }
ifeq ($(LAMBDA_DIR),)
	rustup target add aarch64-unknown-linux-gnu >/dev/null 2>&1 || true
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(CARGO) lambda build --release --arm64 --bin $(FUNCTION)
endif
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(VENV)/bin/python infra/deploy_function.py --stack $(STACK_NAME) \
	  --function $(FUNCTION) $(if $(ALIAS),--alias $(ALIAS)) $(if $(LAMBDA_DIR),--lambda-dir $(LAMBDA_DIR))

.PHONY: sandbox
sandbox: ## Run the local Stytch + Unit sandbox in the foreground.
	$(CARGO) run --quiet -p sandbox

# The local stack (tests/dev/local_stack.py): moto + the sandbox + `cargo lambda watch` serving the four
# functions behind one URL with API Gateway's paths. Ports: API_PORT, SANDBOX_STYTCH_PORT, SANDBOX_UNIT_PORT.
LOCAL_STACK := $(VENV)/bin/python tests/dev/local_stack.py

.PHONY: dev
dev: venv web ## Local stack and web app in the foreground; prints API_URL, STYTCH_URL, UNIT_URL, WEB_URL when ready.
	@$(LOCAL_STACK) --web

.PHONY: demo
demo: venv ## The whole user journey over HTTP against a fresh local stack, then tear it down.
	@$(CARGO) build --quiet -p demo
	@$(LOCAL_STACK) --quiet -- $(CARGO) run --quiet -p demo

# The reference web app (tests/web): npm packages from its lock file, a client generated from infra/openapi.yaml,
# and Debian's Chromium for the browser suite (CHROMIUM_PATH names another Chromium or Chrome).
WEB        := tests/web
WEB_STAMP  := $(WEB)/node_modules/.installed
WEB_SHOTS  := $(CURDIR)/target/web

$(WEB_STAMP): $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: web
web: $(WEB_STAMP) ## Build the web app with its dev-only sandbox inbox (tests/web/dist; a plain `vite build` has none).
	cd $(WEB) && npm run --silent build:sandbox

.PHONY: web-client
web-client: $(WEB_STAMP) ## Regenerate the web app's API types from infra/openapi.yaml (commit the result).
	cd $(WEB) && npm run --silent generate

.PHONY: chromium
chromium:
	@test -n "$$CHROMIUM_PATH" || command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
	  || command -v google-chrome >/dev/null || { \
	    if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	      apt-get install -y --no-install-recommends chromium || { apt-get update && apt-get install -y --no-install-recommends chromium; }; \
	    elif command -v apt-get >/dev/null && sudo -n true 2>/dev/null; then \
	      sudo apt-get install -y --no-install-recommends chromium; \
	    else \
	      echo "No Chromium found and none can be installed here: install Chromium or Chrome and set CHROMIUM_PATH=/path/to/it" >&2; exit 1; \
	    fi; }

.PHONY: test-web
# The generated client must match infra/openapi.yaml (else `make web-client`), the app must type-check against it
# (`make web`), then the browser suite (tests/web/e2e) runs in headless Chromium against a fresh local stack.
test-web: venv web chromium ## Browser suite: the journey by clicks, faults, accessibility (screenshots in target/web/).
	@cd $(WEB) && generated=$$(mktemp) && npx openapi-typescript ../../infra/openapi.yaml -o $$generated >/dev/null \
	  && { diff -q src/api/schema.d.ts $$generated >/dev/null \
	       || { echo "tests/web/src/api/schema.d.ts is out of date with infra/openapi.yaml: run make web-client" >&2; rm -f $$generated; exit 1; }; } \
	  && rm -f $$generated
	@$(call browser_run,$(WEB)/e2e/)

.PHONY: demo-web
demo-web: venv web chromium ## The journey by clicks in headless Chromium against a fresh local stack; screenshots in target/web/.
	@$(call browser_run,$(WEB)/e2e/journey.test.mjs)

# $(1): the browser tests to run over a fresh local stack serving the web app.
define browser_run
SCREENSHOT_DIR=$(WEB_SHOTS) $(LOCAL_STACK) --quiet --web -- node --test --test-concurrency=1 $(1) && echo "screenshots: $(WEB_SHOTS)/"
endef

# `make event EVENT=events/cards/get-cards.200.json`, with API_URL and STYTCH_URL from a running `make dev`:
# fills the event's {{PLACEHOLDERS}} with fresh values (events/README.md), then `cargo lambda invoke`.
.PHONY: event
event: venv ## Invoke one events/ file against `make dev` (EVENT=events/<function>/<name>.json).
	@test -n "$(EVENT)" || { echo "usage: make event EVENT=events/<function>/<name>.json  (API_URL, STYTCH_URL from make dev)" >&2; exit 2; }
	@test -n "$$API_URL" -a -n "$$STYTCH_URL" || { echo "export API_URL and STYTCH_URL as printed by make dev" >&2; exit 2; }
	@mkdir -p .dev && $(CARGO) run --quiet -p demo -- fill $(EVENT) > .dev/event.json
	@PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(CARGO) lambda invoke --invoke-address 127.0.0.1 --invoke-port "$${API_URL##*:}" \
	  --data-file .dev/event.json $(notdir $(patsubst %/,%,$(dir $(EVENT))))

AUDIT_ROOT := $(CURDIR)/target/tools

.PHONY: audit
audit: ## Supply-chain checks with cargo-deny (advisories, licences, sources; built on first use).
	@test -x $(AUDIT_ROOT)/bin/cargo-deny || $(CARGO) install --locked --root $(AUDIT_ROOT) cargo-deny
	$(AUDIT_ROOT)/bin/cargo-deny --manifest-path Cargo.toml check

.PHONY: clean
clean: ## Remove build output and the Python environment.
	$(CARGO) clean
	rm -rf $(VENV)
