#!/usr/bin/env bash
# Installs what building and testing flowsmith need, on a fresh Debian machine with Swift:
# Debian packages through apt-get (when root; otherwise it says what to run), and the Python
# test peers into a local venv (.venv). Safe to run again: it only installs what is missing.
#   scripts/setup.sh build   -> packages needed to build and run
#   scripts/setup.sh test    -> also the test peers (Graphviz, tmux, Python venv)
#   scripts/setup.sh bench   -> also Graphviz (the benchmarks' reference) and tmux (the real terminal)
set -euo pipefail
cd "$(dirname "$0")/.."
want=${1:-build}

debs=(libncurses-dev libcurl4-openssl-dev pkg-config)
case "$want" in
  test) debs+=(graphviz tmux python3 python3-venv man-db groff-base zsh fish) ;;
  bench) debs+=(graphviz tmux) ;;
esac

missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# python3-venv only matters when python3 cannot make a venv on its own (pyenv builds can).
if [ "$want" = test ] && python3 -m venv --help >/dev/null 2>&1; then
  missing=("${missing[@]/python3-venv}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: run  sudo apt-get install ${missing[*]}  and try again" >&2
    exit 1
  fi
fi

[ "$want" = test ] || exit 0
req=Tests/peers/requirements.txt
stamp=.venv/.requirements
if [ ! -x .venv/bin/python ] || ! cmp -s "$req" "$stamp"; then
  echo "setup: preparing .venv with $(grep -v '^#' "$req" | tr '\n' ' ')"
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r "$req"
  cp "$req" "$stamp"
fi
