#!/usr/bin/env bash
# The dependency rule of docs/ARCHITECTURE.md: C libraries only in their shell targets, and
# FlowCore free of any import but the standard library's own modules.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
while IFS= read -r hit; do
  echo "check-deps: $hit: CNcursesw is imported only in Sources/FlowTerminal" >&2; fail=1
done < <(grep -rlE '^\s*(@preconcurrency )?import CNcursesw' Sources | grep -v '^Sources/FlowTerminal/' || true)
while IFS= read -r hit; do
  echo "check-deps: $hit: CCurl is imported only in Sources/OpenAIClient" >&2; fail=1
done < <(grep -rlE '^\s*(@preconcurrency )?import CCurl' Sources | grep -v '^Sources/OpenAIClient/' || true)
while IFS= read -r hit; do
  echo "check-deps: $hit: FlowCore imports nothing (not even Foundation)" >&2; fail=1
done < <(grep -rlE '^\s*import ' Sources/FlowCore || true)
for t in FlowFormats FlowSuggest FlowDesigner; do
  [ -d "Sources/$t" ] || continue
  while IFS= read -r hit; do
    echo "check-deps: $hit: $t must not reach the terminal or the network directly" >&2; fail=1
  done < <(grep -rlE '^\s*import (FlowTerminal|OpenAIClient)\b' "Sources/$t" || true)
done
[ $fail = 0 ] && echo "check-deps: dependency rule holds"
exit $fail
