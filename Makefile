# The two commands a newcomer needs are in README.md: `swift run tinybug demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
DEBIAN_PACKAGES := libssl-dev libcurl4-openssl-dev nginx python3

.PHONY: test deps build demo clean

## Install what the tests need (if missing), build with warnings as errors, run every test.
test: deps
	$(SWIFT) build --build-tests --explicit-target-dependency-import-check error
	$(SWIFT) test --skip-build --parallel

## Debian packages the build and tests need, installed only when missing (RUNLEVEL=1 keeps the
## nginx package from starting a server of its own: the tests start theirs on loopback ports).
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build:
	$(SWIFT) build

demo:
	$(SWIFT) run tinybug demo

clean:
	rm -rf .build
