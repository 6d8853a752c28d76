#!/usr/bin/env bash
# Builds the libFuzzer harnesses in Fuzz/ and runs each for a while (Fuzz/README.md).
#   scripts/fuzz.sh [NAME] [SECONDS]     NAME: FlowReader, Outline, SSE, Config or all (default all);
#                                        SECONDS per harness (default 60)
#   scripts/fuzz.sh build [NAME]         only build
# Everything goes to .build/fuzz: the modules the harnesses import, built with
# -sanitize=fuzzer,address so the parsers' own code gives coverage; the harness binaries
# (bin/NAME); a working corpus per harness (corpus/NAME, where libFuzzer adds what it finds;
# the committed seeds in Fuzz/corpus/NAME and Fuzz/regressions/NAME are only read); and the
# inputs that crashed (artifacts/NAME). Exits 1, naming each crashing input, when a harness
# crashes, fails one of its properties, times out or runs out of memory.
# Extra libFuzzer flags can be given in FUZZ_FLAGS, e.g. FUZZ_FLAGS=-jobs=2.
set -euo pipefail
cd "$(dirname "$0")/.."

all=(FlowReader Outline SSE Config)
build_only=0
if [ "${1:-}" = build ]; then build_only=1; shift; fi
name=${1:-all}
seconds=${2:-60}
if [ "$name" = all ]; then names=("${all[@]}"); else names=("$name"); fi
for n in "${names[@]}"; do
  [ -f "Fuzz/$n.swift" ] || { echo "fuzz: no harness Fuzz/$n.swift (there are: ${all[*]})" >&2; exit 2; }
done
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz: SECONDS must be a whole number, not $seconds" >&2; exit 2; }

swiftc=${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}
# libFuzzer and AddressSanitizer ship with the Swift toolchain (no Debian package provides them
# for swiftc), and the harnesses use no system library, so there is nothing to install.
if ! ls "$(dirname "$(readlink -f "$swiftc")")"/../lib/clang/*/lib/linux/libclang_rt.fuzzer*.a >/dev/null 2>&1 \
   && ! ls "$(dirname "$(readlink -f "$swiftc")")"/../lib/swift/clang/lib/linux/libclang_rt.fuzzer*.a >/dev/null 2>&1; then
  echo "fuzz: $swiftc has no libFuzzer runtime (libclang_rt.fuzzer); use a swift.org toolchain for Linux" >&2
  exit 1
fi
out=.build/fuzz
mkdir -p "$out/modules" "$out/bin"
flags=(-sanitize=fuzzer,address -parse-as-library -O -g -I "$out/modules")

# Modules in dependency order, and which modules each harness needs (SSE compiles SSEParser.swift
# into the harness instead).
modules=(FlowCore FlowFormats FlowSuggest FlowDesigner)
declare -A needs=([FlowReader]=FlowFormats [Outline]=FlowFormats [Config]=FlowDesigner [SSE]=)
declare -A deps=([FlowCore]= [FlowFormats]=FlowCore [FlowSuggest]="FlowCore FlowFormats" [FlowDesigner]="FlowCore FlowFormats FlowSuggest")

newer() {  # true when any of the files after $1 is newer than $1 (or $1 is missing)
  local target=$1; shift
  [ -e "$target" ] || return 0
  local f
  for f in "$@"; do [ "$f" -nt "$target" ] && return 0; done
  return 1
}

build_module() {
  local m=$1 lib="$out/modules/lib$1.a" d inputs=(Sources/"$1"/*.swift)
  for d in ${deps[$m]}; do inputs+=("$out/modules/lib$d.a"); done
  newer "$lib" "${inputs[@]}" || return 0
  echo "fuzz: building module $m"
  "$swiftc" "${flags[@]}" -wmo -module-name "$m" -emit-module -emit-module-path "$out/modules/$m.swiftmodule" \
    -emit-library -static -o "$lib" Sources/"$m"/*.swift || { rm -f "$lib"; return 1; }
}

build_harness() {
  local n=$1 bin="$out/bin/$1" libs=() m top=${needs[$1]} sources=("Fuzz/$1.swift")
  if [ -n "$top" ]; then
    for m in "${modules[@]}"; do
      build_module "$m" || return 1
      libs=("-l$m" "${libs[@]}")
      [ "$m" = "$top" ] && break
    done
  else
    sources+=(Sources/OpenAIClient/SSEParser.swift)
  fi
  local inputs=("${sources[@]}") l
  for l in "${libs[@]}"; do inputs+=("$out/modules/lib${l#-l}.a"); done
  newer "$bin" "${inputs[@]}" || return 0
  echo "fuzz: building harness $n"
  # The linker warns "Cannot export local symbol '__asan_…'" for every sanitized module: harmless.
  "$swiftc" "${flags[@]}" -module-name "${n}Fuzz" -o "$bin" "${sources[@]}" -L "$out/modules" "${libs[@]}" \
    2> >(grep -v "Cannot export local symbol '__asan_" >&2) || { rm -f "$bin"; return 1; }
}

# A harness that does not build is reported at the end; the others still run.
failed=()
built=()
for n in "${names[@]}"; do
  if build_harness "$n"; then built+=("$n"); else failed+=("$n (build)"); echo "fuzz: $n does not build" >&2; fi
done
if [ "$build_only" = 1 ]; then
  [ ${#failed[@]} -eq 0 ] || { echo "fuzz: failed: ${failed[*]}" >&2; exit 1; }
  exit 0
fi

# A failed property is a Swift fatalError: without Swift's own backtracer libFuzzer reports it
# (its backtracer trips AddressSanitizer).
export SWIFT_BACKTRACE=enable=no
for n in "${built[@]}"; do
  work="$out/corpus/$n" artifacts="$out/artifacts/$n" log="$out/$n.log"
  mkdir -p "$work" "$artifacts" "Fuzz/regressions/$n"
  dict=()
  [ -f "Fuzz/dict/$n.dict" ] && dict=(-dict="Fuzz/dict/$n.dict")
  before=$(ls "$artifacts" | wc -l)
  echo "fuzz: running $n for ${seconds}s (log: $log)"
  set +e
  # The first folder is the working corpus libFuzzer writes to; the seeds are read only.
  "$out/bin/$n" "$work" "Fuzz/corpus/$n" "Fuzz/regressions/$n" "${dict[@]}" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 ${FUZZ_FLAGS:-} >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  if [ "$rc" -eq 0 ]; then
    echo "fuzz: $n ok, ${runs:-?} runs, working corpus $(ls "$work" | wc -l) inputs"
    continue
  fi
  failed+=("$n")
  grep -E 'ERROR: (AddressSanitizer|libFuzzer)|Fatal error|fuzz property failed|SUMMARY' "$log" | head -5 >&2 || true
  crashes=$(grep -o "Test unit written to [^ ]*" "$log" | sed 's/Test unit written to //' || true)
  [ -n "$crashes" ] || crashes=$(ls -t "$artifacts" | head -n $(( $(ls "$artifacts" | wc -l) - before )) | sed "s|^|$artifacts/|")
  echo "fuzz: $n FAILED (exit $rc), see $log" >&2
  for c in $crashes; do
    echo "fuzz: crashing input: $c" >&2
    echo "fuzz:   replay: SWIFT_BACKTRACE=enable=no $out/bin/$n $c   keep: cp $c Fuzz/regressions/$n/" >&2
  done
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
