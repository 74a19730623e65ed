#!/usr/bin/env bash
# Builds what the benchmark drives (release), makes sure wrk and Deno are there, and runs
# tntc-bench. Results: bench/results/{results.json,results.md,latency.svg}.
#
#   bench/run.sh [--quick] [--only per-node,v8,engine-start,warm-run,throughput,build,dev-reload]
#
# Environment: CARGO_TARGET_DIR (default <repo>/target), DENO (a deno binary; default: the
# npm package `deno`, installed into $BENCH_TOOLS, default ~/.cache/tntc-bench-tools).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"
tools="${BENCH_TOOLS:-$HOME/.cache/tntc-bench-tools}"

if ! command -v wrk >/dev/null; then
  echo "installing wrk (apt-get)" >&2
  apt-get install -y wrk >/dev/null
fi
if [ -z "${DENO:-}" ]; then
  if [ ! -x "$tools/node_modules/.bin/deno" ]; then
    echo "installing deno (npm package) into $tools" >&2
    mkdir -p "$tools"
    (cd "$tools" && npm install --silent deno >/dev/null)
  fi
  export DENO="$tools/node_modules/.bin/deno"
fi

(cd "$repo" && CARGO_TARGET_DIR="$target" cargo build --release -p tntc -p tntc-bench)
# The host as pods run it: the `pod` profile (fat LTO, see Cargo.toml).
(cd "$repo" && CARGO_TARGET_DIR="$target" cargo build --profile pod -p tntc-host)
export CARGO_TARGET_DIR="$target"
exec "$target/release/tntc-bench" --out "$repo/bench/results" "$@"
