# Two entry points for a fresh machine: `make run` and `make test`. Both install what is
# missing first (Debian packages), then build.

SWIFT ?= swift
# Needed to build: libcurl (probes, control client), libsystemd (sd_notify), SQLite, zlib.
BUILD_PACKAGES := pkg-config libcurl4-openssl-dev libsystemd-dev libsqlite3-dev zlib1g-dev
# Needed by tests and benchmarks: a real nginx, promtool (Debian's prometheus), wrk, gzip,
# systemd-analyze (systemd) for the unit file, useradd (passwd) for install.sh and the control
# role tests, curl and sqlite3 for the control API and audit tests (setpriv is in util-linux),
# a headless chromium and its driver for the SOC dashboard's browser test.
TEST_PACKAGES := nginx prometheus wrk gzip systemd passwd curl sqlite3 chromium chromium-driver
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# bash for `pipefail`: the test recipe pipes through tee and must keep swift test's status.
SHELL := /bin/bash

.PHONY: deps test-deps install-packages build build-release run test bench clean

deps:
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(BUILD_PACKAGES)"

test-deps: deps
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(TEST_PACKAGES)"

install-packages:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build

build-release: deps
	$(SWIFT) build -c release

# Runs Vigil in the foreground with vigil.yaml and manifests/ (Ctrl-C stops every service).
run: build
	@echo "SOC dashboard: http://127.0.0.1:8080/ in a browser once soc-engine is ready (vigil status)"
	.build/debug/vigil up --config vigil.yaml

# The whole log goes to .build/test.log; on failure the failing assertions are repeated at
# the end, because CI logs are often read from the tail.
test: test-deps
	$(SWIFT) build --build-tests
	@set -o pipefail; $(SWIFT) test --skip-build --disable-swift-testing 2>&1 | tee .build/test.log || { \
		echo; echo "== failed tests and assertions (whole log: .build/test.log) =="; \
		grep -E "error: |' failed \(|Exited with" .build/test.log | head -80; \
		exit 1; }

bench: test-deps
	Benchmarks/run.sh

clean:
	rm -rf .build .vigil
