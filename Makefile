# flowsmith: `make run` opens the designer on a bundled example; `make test` runs every test.
# Both install what they need first (scripts/setup.sh).
SHELL := /bin/bash
SWIFT ?= swift
BIN := .build/debug/flowsmith
EXAMPLE ?= examples/crm-zh.flow.md

PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: run fresh build test bench check-deps fuzz install uninstall clean

build:
	@scripts/setup.sh build
	$(SWIFT) build --product flowsmith

# Opens the editor on a copy of the bundled example, so the example itself stays as shipped; the
# copy keeps your edits from one `make run` to the next, and `make fresh` starts again from the example.
run: build
	@mkdir -p .run && [ -f .run/$(notdir $(EXAMPLE)) ] || cp $(EXAMPLE) .run/
	$(BIN) .run/$(notdir $(EXAMPLE))

fresh:
	rm -f .run/$(notdir $(EXAMPLE))
	@$(MAKE) --no-print-directory run

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

# A release build under $(DESTDIR)$(PREFIX): bin/flowsmith, share/flowsmith (corpus, themes), the
# man page and bash/zsh/fish completions. `make install PREFIX=~/.local` puts it on your PATH.
install:
	@scripts/setup.sh build
	$(SWIFT) build -c release --product flowsmith
	@scripts/install.sh install "$(DESTDIR)$(PREFIX)"

uninstall:
	@scripts/install.sh uninstall "$(DESTDIR)$(PREFIX)"

clean:
	rm -rf .build .venv
