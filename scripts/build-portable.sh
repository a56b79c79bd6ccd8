#!/usr/bin/env bash
# Build the binary operators copy into an App Service container: statically linked (static-pie),
# so it runs on any x86_64 Linux image whatever its glibc (bullseye 2.31, bookworm 2.36, noble
# 2.39) or musl, with TLS from rustls/aws-lc (no OpenSSL). Then prove it: no dynamic
# dependencies, and the demo passes end to end with an empty environment.
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-gnu
# --target keeps crt-static away from build scripts and proc-macros.
RUSTFLAGS='-C target-feature=+crt-static' cargo build --release --locked --target "$target"
bin="target/$target/release/wif-doctor"

if ldd "$bin" 2>&1 | grep -q '=>'; then
  echo "FAIL: $bin has dynamic dependencies:"; ldd "$bin"; exit 1
fi
echo "ok: $bin is statically linked ($(du -h "$bin" | cut -f1))"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
env -i HOME="$root" WIF_DOCTOR_SYSROOT="$root" "$bin" --demo check --ascii > "$root/out.txt"
tail -1 "$root/out.txt"
grep -q '^OK: 8 passed' "$root/out.txt"
echo "ok: the static binary passes the demo check with an empty environment"
