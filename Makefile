# The two set-up commands of the README: `make demo` and `make test`.
.PHONY: demo test build release deps

SNAPSHOT ?= examples/snapshot.json
STRATEGY ?= strategies/majors.yaml

deps:
	@scripts/install-deps

build: deps
	swift build

release: deps
	swift build -c release

# The main job on the built-in default: validate, scan and plan the shipped example market.
demo: build
	.build/debug/ballast check --snapshot $(SNAPSHOT) --strategy $(STRATEGY)
	.build/debug/ballast scan --snapshot $(SNAPSHOT) --strategy $(STRATEGY) --explain
	.build/debug/ballast plan --snapshot $(SNAPSHOT) --strategy $(STRATEGY)

# In parallel: deadlines, retries and caches are tested on manual time, and tests order
# events by explicit signals, so a loaded machine changes no outcome.
test: deps
	swift test
