#!/usr/bin/env bash
# Runs every fuzz target for SECONDS seconds each (default 60): `bash fuzz/run.sh 20`.
# Optional target names after SECONDS run only those: `bash fuzz/run.sh 300 xmlrpc_call`.
#
# cargo-fuzz drives libFuzzer. The build is release with debug assertions and overflow checks, and
# no sanitizer: the crate forbids unsafe code, so what there is to find is a panic (an overflow, an
# out-of-bounds index, an unwrap), a hang (-timeout) or a blow-up in memory (-rss_limit_mb), and
# libFuzzer reports each as a crash. cargo-fuzz passes a few -Z flags to rustc; RUSTC_BOOTSTRAP=1
# lets the stable toolchain accept them, so no nightly is needed.
#
# The committed seeds in fuzz/corpus/TARGET are read, never written: what libFuzzer finds goes to
# fuzz/target/corpus/TARGET. A crash lands in fuzz/artifacts/TARGET/ and fails the run; turn it
# into a regression test (tests/cases/hostile.rs or the codec's unit tests) before fixing it.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true
export RUSTC_BOOTSTRAP=1
if ! command -v cargo-fuzz >/dev/null; then
  cargo install cargo-fuzz --locked --version 0.13.2
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
cargo fuzz build --sanitizer none
for target in "${targets[@]}"; do
  mkdir -p "target/corpus/$target"
  log="target/fuzz-$target.log"
  if ! cargo fuzz run --sanitizer none "$target" "target/corpus/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=1024 \
    -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "fuzz: $target failed; the input is in fuzz/artifacts/$target/, the log in fuzz/$log" >&2
    exit 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  echo "fuzz: $target ran ${seconds}s, $runs inputs, no crash"
done
