#!/usr/bin/env bash
# The layer rules of docs/ARCHITECTURE.md, checked in `make test`:
#   FlowCore      imports nothing (not even Foundation)
#   FlowFormats   FlowCore and the system libraries only (CXattr: the C library's xattr header)
#   FlowSuggest   FlowCore, FlowFormats and the system libraries
#   FlowDesigner  FlowCore, FlowFormats, FlowSuggest only: no Foundation, no Glibc, and no file
#                 I/O of any kind (it describes jobs; the shell's runner does them)
#   OpenAIClient  CCurl and the system libraries, none of the flow modules
#   FlowTerminal  everything but OpenAIClient and CCurl (engines are wired in flowsmith)
#   CNcursesw only in FlowTerminal, CCurl only in OpenAIClient
# and no source, doc or comment points outside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
say() { echo "check-deps: $*" >&2; fail=1; }

# allowed TARGET MODULE... : every import in Sources/TARGET is one of the modules listed
allowed() {
  local target=$1; shift
  local allow=" $* "
  while IFS=: read -r file line text; do
    module=$(sed -E 's/^\s*(@preconcurrency |@_exported )?import (class |struct |enum |func )?([A-Za-z0-9_]+).*/\3/' <<<"$text")
    [[ "$allow" == *" $module "* ]] || say "$file:$line: $target may not import $module (docs/ARCHITECTURE.md, the layers)"
  done < <(grep -nE '^\s*(@preconcurrency |@_exported )?import ' Sources/"$target"/*.swift /dev/null || true)
}
system="Foundation Glibc Darwin Synchronization Dispatch"
allowed FlowCore
allowed FlowFormats FlowCore CXattr $system
allowed FlowSuggest FlowCore FlowFormats $system
allowed FlowDesigner FlowCore FlowFormats FlowSuggest
allowed OpenAIClient CCurl $system
allowed FlowTerminal FlowCore FlowFormats FlowSuggest FlowDesigner CNcursesw $system

# FlowDesigner does no file I/O even through FlowFormats' helpers.
while IFS= read -r hit; do
  say "$hit: FlowDesigner does no file I/O: return a Job and let the runner do it"
done < <(grep -nE 'TextFile\.(read|readUTF8|readBytes|write|exists|stamp|resolveLinks|besideProgram)\b|FileManager|fopen\(' Sources/FlowDesigner/*.swift || true)

# The repository explains itself: nothing points at folders beside it.
while IFS= read -r hit; do
  say "$hit: points outside the repository; write what is needed in docs/"
done < <(grep -rnE '\.\./(shared|\.library)' Sources Tests/*.swift Tests/*/*.swift Tests/peers/*.py Benchmarks docs scripts README.md Makefile Package.swift 2>/dev/null | grep -v '^scripts/check-deps.sh' || true)

[ $fail = 0 ] && echo "check-deps: the layer rules hold"
exit $fail
