#!/usr/bin/env bash
# Cold-start benchmark: the release binary in three network conditions, google-auth beside it.
# Needs root (a private network + mount namespace); sends traffic only to loopback inside it.
# Usage: scripts/bench.sh            (prints Markdown tables; also saved to target/bench/cold_start.md)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/bench
# GNU time measures the child's peak RSS without our own memory in it.
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time; }
py=target/bench/python
if ! PYTHONPATH="$py" python3 -c 'import google.auth, requests' 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check --target "$py" \
        -r scripts/bench-requirements.txt
fi
cargo build --release --locked
# `cargo bench` rebuilds target/release/wif-doctor with the bench profile (no LTO): measure a copy
# of the real release build.
cp target/release/wif-doctor target/bench/wif-doctor
WIF_DOCTOR_BIN="$PWD/target/bench/wif-doctor" BENCH_PYTHONPATH="$PWD/$py" \
    cargo bench --locked --bench cold_start | tee target/bench/cold_start.md
