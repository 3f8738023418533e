#!/usr/bin/env bash
# Installs what bench/compare.sh needs on a fresh Debian/Ubuntu machine: wrk, h2load (package
# nghttp2-client), hyperfine, curl, jq, GNU time and python3 from apt, a Rust toolchain (rustup) when cargo is
# missing, and the pinned Python peers (grpcio) of the tests. Idempotent.
set -euo pipefail

missing=()
for tool in wrk hyperfine curl python3 jq; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
[ -x /usr/bin/time ] || missing+=(time)
command -v h2load >/dev/null || missing+=(nghttp2-client)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
  echo "Rust installed: run 'source \$HOME/.cargo/env' (or open a new shell) before bench/compare.sh"
fi

# Fetch the crates now, so compare.sh's build needs no network.
root=$(cd "$(dirname "$0")/.." && pwd)
(cd "$root" && cargo fetch --locked --quiet)
(cd "$root/bench/servers" && cargo fetch --locked --quiet)
# The seed's grpcio server runs from the tests' own Python peers.
bash "$root/scripts/install-peers"
echo "bench ready: bash bench/compare.sh"
