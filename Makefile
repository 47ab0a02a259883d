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
FUNCTIONS   := signup step-up token-exchange cards

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
test: venv lint ## Every test: lint, unit, integration (moto, sandbox).
ifeq ($(NEXTEST),yes)
	$(CARGO) nextest run --workspace --profile $(NEXTEST_PROFILE)
else
	$(CARGO) test --workspace
endif

.PHONY: bench
bench: ## Micro-benchmarks (criterion).
	$(CARGO) bench -p stytch-unit-common

.PHONY: build
build: venv ## Release zips for arm64 Lambda (cargo lambda build).
	$(VENV)/bin/pip install --quiet --disable-pip-version-check cargo-lambda
	rustup target add aarch64-unknown-linux-gnu >/dev/null 2>&1 || true
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(CARGO) lambda build --release --arm64 --output-format zip $(addprefix --bin ,$(FUNCTIONS))

.PHONY: sandbox
sandbox: ## Run the local Stytch + Unit sandbox in the foreground.
	$(CARGO) run --quiet -p sandbox

.PHONY: clean
clean: ## Remove build output and the Python environment.
	$(CARGO) clean
	rm -rf $(VENV)
