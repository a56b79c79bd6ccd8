#!/usr/bin/env bash
# One image case, run by scripts/images.sh as the first process of fresh network + mount + PID
# namespaces: lo is the only interface, every mount below dies with the namespace, and so does
# every process when this script exits.
#
#   in-root.sh ROOT BINARY MODE     MODE: ca (trust via SSL_CERT_FILE, then via the root's own
#                                   CA bundle) | noca (no CA store, no SSL_CERT_FILE)
#
# The simulator runs inside the root on 127.0.0.1:443; the root's /etc/hosts (bind-mounted)
# maps the production host names there, so `check` resolves them as it would in App Service.
set -euo pipefail
root=$1 bin=$2 mode=$3
# What `check` reaches: Entra (OIDC discovery, JWKS) and every Google host of the simulator.
hosts=(login.microsoftonline.com sts.windows.net sts.googleapis.com iamcredentials.googleapis.com
  cloudresourcemanager.googleapis.com aiplatform.googleapis.com oauth2.googleapis.com
  us-central1-aiplatform.googleapis.com europe-west1-aiplatform.googleapis.com
  europe-west4-aiplatform.googleapis.com)

fail() { printf 'FAIL: %s\n' "$*"; exit 1; }
# Run a command in the root with exactly the given environment (nothing leaks from this shell).
in_root() { chroot "$root" /usr/bin/env -i "$@"; }

sim=
cleanup() {
  if [ -n "$sim" ]; then
    kill "$sim" 2>/dev/null || true
    wait "$sim" 2>/dev/null || true
  fi
}
trap cleanup EXIT

ip link set lo up
# No route but lo: prove it rather than trust it.
if ip -4 route show | grep -qv '127\.'; then fail "the namespace has a non-loopback route"; fi

mount -t tmpfs -o mode=1777,size=64m tmpfs "$root/tmp"
mount -t proc proc "$root/proc"
mkdir "$root/tmp/wif"
w=$root/tmp/wif
cp "$bin" "$w/wif-doctor"
{
  echo "127.0.0.1 localhost"
  echo "::1 localhost ip6-localhost ip6-loopback"
  echo "127.0.0.1 ${hosts[*]}"
} >"$w/hosts"
# Anything not in /etc/hosts goes to a resolver on loopback that is not there: fails fast, locally.
echo "nameserver 127.0.0.1" >"$w/resolv.conf"
for f in hosts resolv.conf; do
  [ -e "$root/etc/$f" ] || fail "/etc/$f is missing in $root"
  mount --bind "$w/$f" "$root/etc/$f"
done
grep -E '^hosts:' "$root/etc/nsswitch.conf" | sed 's/^/nsswitch.conf: /' || fail "no hosts: line in /etc/nsswitch.conf"

base=(HOME=/root PATH=/usr/local/bin:/usr/bin:/bin TMPDIR=/tmp LANG=C.UTF-8)
in_root "${base[@]}" /tmp/wif/wif-doctor simulate --listen 127.0.0.1:443 --env-file /tmp/wif/sim.env \
  >"$w/sim.log" 2>&1 &
sim=$!
for _ in $(seq 100); do
  [ -s "$w/sim.env" ] && (exec 3<>/dev/tcp/127.0.0.1/443) 2>/dev/null && break
  kill -0 "$sim" 2>/dev/null || { cat "$w/sim.log"; fail "the simulator exited"; }
  sleep 0.1
done
[ -s "$w/sim.env" ] || { cat "$w/sim.log"; fail "the simulator wrote no env file within 10 s"; }

# The simulator's settings, minus the proxy (names resolve to it directly here) and any override.
names=$(grep -oE '^export [A-Za-z_][A-Za-z0-9_]*=' "$w/sim.env" | sed 's/^export //; s/=$//')
set -a
# shellcheck disable=SC1091
. "$w/sim.env"
set +a
settings=()
for n in $names; do
  case $n in
    HTTPS_PROXY | https_proxy | HTTP_PROXY | http_proxy | ALL_PROXY | NO_PROXY | no_proxy) continue ;;
    WIF_DOCTOR_RESOLVE) fail "the simulator exported WIF_DOCTOR_RESOLVE; this test must resolve names for real" ;;
    SSL_CERT_FILE | SSL_CERT_DIR | REQUESTS_CA_BUNDLE | NODE_EXTRA_CA_CERTS) continue ;;
  esac
  settings+=("$n=${!n}")
done
[ -n "${SSL_CERT_FILE:-}" ] || fail "the simulator exported no SSL_CERT_FILE"
ca=$root$SSL_CERT_FILE

# `check` in the root; its output goes to $w/$1.out, its exit code is returned.
check() {
  local name=$1 rc=0
  shift
  in_root "${base[@]}" "${settings[@]}" "$@" /tmp/wif/wif-doctor check --ascii >"$w/$name.out" 2>&1 || rc=$?
  return "$rc"
}
show() { sed 's/^/  | /' "$w/$1.out"; }
roots_of() { in_root "${base[@]}" "${settings[@]}" "$@" /tmp/wif/wif-doctor env --json | grep -oE '"tls_roots": *"[a-z]+"' | grep -oE '[a-z]+"$' | tr -d '"'; }
summary() { tail -1 "$w/$1.out"; }

case $mode in
  ca)
    # 1. As the simulator says: its CA as SSL_CERT_FILE.
    [ "$(roots_of "SSL_CERT_FILE=$SSL_CERT_FILE")" = environment ] || fail "env --json does not report the SSL_CERT_FILE roots"
    check cert-file "SSL_CERT_FILE=$SSL_CERT_FILE" || { show cert-file; fail "check failed with SSL_CERT_FILE"; }
    # 2. As an operator would install a CA on Debian: in the root's own bundle (what
    #    update-ca-certificates writes), no SSL_CERT_FILE.
    bundle=$root/etc/ssl/certs/ca-certificates.crt
    [ -s "$bundle" ] || fail "the root has no $bundle (ca-certificates not installed?)"
    cat "$bundle" "$ca" >"$w/bundle.crt"
    mount --bind "$w/bundle.crt" "$bundle"
    [ "$(roots_of)" = platform ] || fail "env --json does not report the platform roots"
    check system-store || { show system-store; fail "check failed with the root's CA bundle"; }
    # The requests went through the names, to the simulator.
    grep -q 'sts.googleapis.com' "$w/sim.log" || { cat "$w/sim.log"; fail "the simulator logged no request for sts.googleapis.com"; }
    # Control: without the names in /etc/hosts the same run cannot reach Google, so it was the
    # root's /etc/hosts (through nsswitch.conf) that found the simulator, and nothing else.
    echo "127.0.0.1 localhost" >"$w/hosts"
    if check no-names; then show no-names; fail "check passed with no production names in /etc/hosts"; fi
    grep -q 'name lookup failed' "$w/no-names.out" || { show no-names; fail "without /etc/hosts entries check should report a failed name lookup"; }
    echo "with SSL_CERT_FILE: $(summary cert-file); with the root's CA bundle: $(summary system-store); without the names in /etc/hosts: fails on the name lookup"
    ;;
  noca)
    for p in /etc/ssl/certs/ca-certificates.crt /usr/share/ca-certificates; do
      [ ! -e "$root$p" ] || fail "$p exists: this root is meant to have no ca-certificates"
    done
    [ "$(roots_of)" = bundled ] || fail "env --json does not report the bundled roots"
    if check noca; then show noca; fail "check passed against the simulator's private CA with only the bundled roots"; fi
    show noca
    grep -q '^ok azure.token' "$w/noca.out" || fail "the identity request (plain HTTP) should still succeed"
    grep -q '^XX sts.exchange' "$w/noca.out" || fail "sts.exchange should fail TLS"
    grep -q 'bundled' "$w/noca.out" || fail "check does not say it used the bundled roots"
    grep -q 'ca-certificates' "$w/noca.out" || fail "check does not name the missing CA store"
    # The bundled roots themselves work: the demo's in-process simulator adds its CA to them.
    in_root "${base[@]}" /tmp/wif/wif-doctor --demo check --ascii >"$w/demo.out" 2>&1 ||
      { show demo; fail "--demo check failed on the bundled roots"; }
    echo "no CA store: check reports the bundled roots and fails TLS as it should; --demo check: $(summary demo)"
    ;;
  *) fail "unknown mode $mode" ;;
esac
