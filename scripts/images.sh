#!/usr/bin/env bash
# Real images: the portable binary's `check` inside minimal Debian roots (bullseye, bookworm,
# trixie: debootstrap --variant=minbase + ca-certificates), each in a private network + mount
# + PID namespace whose only interface is lo, where the root's own /etc/hosts maps the production
# host names to the simulator on 127.0.0.1:443. No WIF_DOCTOR_RESOLVE: names go through the
# root's nsswitch.conf and /etc/hosts, TLS through its CA store. Plus one root without
# ca-certificates (derived from bookworm by purging the package) and without SSL_CERT_FILE, where
# wif-doctor must say it fell back to its bundled roots.
#
# Roots are cached under target/images/ (WIF_DOCTOR_IMAGES overrides) and rebuilt only when
# missing; debootstrap is the only step that talks to the network (Debian's mirror, as in
# /etc/apt/sources.list*), and it runs outside the test namespaces. Needs root.
#
#   scripts/images.sh [SUITE...]      default: bullseye bookworm trixie, then the no-CA root
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
bin=${WIF_DOCTOR_BIN:-$repo/target/x86_64-unknown-linux-gnu/release/wif-doctor}
cache=${WIF_DOCTOR_IMAGES:-$repo/target/images}
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bullseye bookworm trixie)
noca_from=bookworm
started=$SECONDS
echo "== real images: the portable binary's check in minimal Debian roots"

say() { printf 'images: %s\n' "$*"; }
die() { printf 'images: FAIL: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, unshare --net --mount, chroot)"
[ -x "$bin" ] || die "$bin is missing: run scripts/build-portable.sh first"

# The Debian mirror this machine's apt uses (deb822 or one-line sources), else deb.debian.org.
debian_mirror() {
  local m
  m=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
    grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v -- '-security' | head -1 | tr -d ' ') || true
  printf '%s\n' "${m:-http://deb.debian.org/debian}"
}
mirror=${DEBIAN_MIRROR:-$(debian_mirror)}

need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v ip >/dev/null || need+=(iproute2)
[ -e /usr/share/keyrings/debian-archive-keyring.gpg ] || need+=(debian-archive-keyring)
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

mkdir -p "$cache/debs"
# Interrupted: stop the debootstraps still running (their half-built roots carry no stamp and are
# rebuilt next time). The test cases clean up after themselves: see scripts/images/in-root.sh.
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT

# Build $cache/$1 unless its stamp says it is complete. debootstrap mounts /proc and /sys in the
# target while it installs: a private mount namespace makes sure none of that outlives it.
build_root() {
  local suite=$1 dir=$cache/$1 log=$cache/$1.log t=$SECONDS
  [ -f "$dir/.wif-doctor-image" ] && return 0
  say "debootstrap $suite from $mirror (log: $log)"
  rm -rf "$dir.tmp"
  mkdir -p "$cache/debs/$suite"
  if ! timeout 1200 unshare --mount --propagation private \
    debootstrap --variant=minbase --include=ca-certificates --cache-dir="$cache/debs/$suite" \
    "$suite" "$dir.tmp" "$mirror" >"$log" 2>&1; then
    tail -20 "$log" >&2
    say "debootstrap $suite failed"
    return 1
  fi
  rm -rf "$dir.tmp/var/cache/apt/archives"/*.deb "$dir.tmp/var/lib/apt/lists"/*_Packages
  echo "$suite $mirror $(date -u +%FT%TZ)" >"$dir.tmp/.wif-doctor-image"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
  say "built $suite in $((SECONDS - t)) s"
}

# What a container runtime provides and debootstrap does not: /etc/hosts (the tests bind-mount
# their own over it, as Docker and App Service do). resolv.conf is debootstrap's copy of this
# machine's; the tests mount a loopback-only one over it.
prepare_root() {
  [ -e "$1/etc/hosts" ] || printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"$1/etc/hosts"
}

# The no-CA root: a copy of $noca_from with ca-certificates purged the Debian way.
build_noca() {
  local from=$cache/$noca_from dir=$cache/$noca_from-noca t=$SECONDS
  [ -f "$dir/.wif-doctor-image" ] && return 0
  build_root "$noca_from" || die "debootstrap $noca_from failed"
  rm -rf "$dir.tmp"
  cp -a "$from" "$dir.tmp"
  chroot "$dir.tmp" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    dpkg --purge ca-certificates >"$cache/$noca_from-noca.log" 2>&1 ||
    { tail -20 "$cache/$noca_from-noca.log" >&2; die "cannot purge ca-certificates"; }
  echo "$noca_from-noca $mirror $(date -u +%FT%TZ)" >"$dir.tmp/.wif-doctor-image"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
  say "derived $noca_from-noca in $((SECONDS - t)) s"
}

# The suites download and unpack in parallel: the mirror's latency, not the CPU, is their cost.
pids=()
for s in "${suites[@]}"; do
  build_root "$s" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || die "a debootstrap failed (logs in $cache)"; done
build_noca
for s in "${suites[@]}" "$noca_from-noca"; do prepare_root "$cache/$s"; done
say "roots ready after $((SECONDS - started)) s"

passed=0
failed=0
rows=()
# One root, one mode, in fresh namespaces; scripts/images/in-root.sh does the work in there.
# `timeout` bounds it; unshare --kill-child ends the namespace's first process with unshare, the
# PID namespace then ends every process in it, and the mount namespace takes every mount with it.
run_case() {
  local name=$1 root=$2 mode=$3 out glibc rc=0
  out=$(mktemp)
  # "ldd (Debian GLIBC 2.36-9+deb12u13) 2.36" -> "2.36 (2.36-9+deb12u13)"
  glibc=$(chroot "$root" /usr/bin/env -i /usr/bin/ldd --version 2>/dev/null || true)
  glibc=$(sed -nE '1s/^ldd \(Debian GLIBC ([^)]+)\) ([0-9.]+)$/\2 (\1)/p' <<<"$glibc")
  glibc=${glibc:-unknown}
  timeout --kill-after=5 120 unshare --net --mount --pid --fork --kill-child --propagation private \
    bash "$repo/scripts/images/in-root.sh" "$root" "$bin" "$mode" >"$out" 2>&1 || rc=$?
  if [ "$rc" = 0 ]; then
    passed=$((passed + 1))
    say "ok   $name (glibc $glibc): $(tail -1 "$out")"
    rows+=("$name|$glibc|$(tail -1 "$out")")
  else
    failed=$((failed + 1))
    sed 's/^/    /' "$out"
    say "FAIL $name (glibc $glibc): exit $rc"
    rows+=("$name|$glibc|FAILED (exit $rc)")
  fi
  rm -f "$out"
}

for s in "${suites[@]}"; do
  run_case "$s" "$cache/$s" ca
done
run_case "$noca_from without ca-certificates" "$cache/$noca_from-noca" noca

echo
echo "| image | glibc | result |"
echo "| --- | --- | --- |"
for r in "${rows[@]}"; do
  IFS='|' read -r n g res <<<"$r"
  echo "| $n | $g | $res |"
done
echo
say "took $((SECONDS - started)) s"
echo "images: $passed passed, $failed failed"
[ "$failed" = 0 ]
