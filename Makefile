# The set-up commands of the README: `make run` (the whole product offline), `make demo` and `make test`.
.PHONY: run demo test build release deps

SNAPSHOT ?= examples/snapshot.json
STRATEGY ?= strategies/majors.yaml

deps:
	@scripts/install-deps

build: deps
	swift build

release: deps
	swift build -c release

# The whole product offline: a simulated market and custody on loopback, and the live service
# against them, until Ctrl-C (scripts/run says how; SCENARIO=shock make run for another story).
run: build
	scripts/run

# The main job on the built-in default: validate, scan and plan the shipped example market.
demo: build
	.build/debug/ballast check --snapshot $(SNAPSHOT) --strategy $(STRATEGY)
	.build/debug/ballast scan --snapshot $(SNAPSHOT) --strategy $(STRATEGY) --explain
	.build/debug/ballast plan --snapshot $(SNAPSHOT) --strategy $(STRATEGY)

# In parallel: deadlines, retries and caches are tested on manual time, and tests order
# events by explicit signals, so a loaded machine changes no outcome.
test: deps
	swift test
