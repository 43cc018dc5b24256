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

# Serially: the network tests check that ticks end by their deadlines, and on two cores the
# CPU-bound solver tests running beside them would starve the tasks they time.
test: deps
	swift test --no-parallel
