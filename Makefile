# flowsmith: `make run` opens the designer on a bundled example; `make test` runs every test.
# Both install what they need first (scripts/setup.sh).
SHELL := /bin/bash
SWIFT ?= swift
BIN := .build/debug/flowsmith
EXAMPLE ?= examples/crm-zh.flow.md

.PHONY: run build test bench check-deps fuzz clean

build:
	@scripts/setup.sh build
	$(SWIFT) build --product flowsmith

# Opens the editor on a copy of the bundled example, so the example itself stays as shipped.
run: build
	@mkdir -p .run && [ -f .run/$(notdir $(EXAMPLE)) ] || cp $(EXAMPLE) .run/
	$(BIN) .run/$(notdir $(EXAMPLE))

check-deps:
	@scripts/check-deps.sh

test:
	@scripts/setup.sh test
	@scripts/check-deps.sh
	$(SWIFT) build
	$(SWIFT) test
	FLOWSMITH_BIN=$(BIN) .venv/bin/python -m pytest -q -p no:cacheprovider Tests/peers

bench:
	@scripts/setup.sh bench
	$(SWIFT) build -c release --product FlowBench
	$(SWIFT) build -c release --product flowsmith
	.build/release/FlowBench

# libFuzzer on the four parsers (Fuzz/README.md): `make fuzz`, or `make fuzz FUZZ=SSE FUZZ_SECONDS=300`.
fuzz:
	scripts/fuzz.sh $(or $(FUZZ),all) $(or $(FUZZ_SECONDS),60)

clean:
	rm -rf .build .venv
