#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a bounded number of executions and time, one at
# a time (a single libFuzzer process each: the machine is shared), from the committed seed
# corpora in fuzz/corpus/<target>/, and prints executions and crashes per target.
# Exits 1 if any target crashed (the input is saved under fuzz/artifacts/<target>/), 2 on
# a usage or setup error. Not part of CI: run it by hand.
#
#   scripts/fuzz.sh [--runs N] [--max-time SECONDS] [--merge] [TARGET...]
#
#   --runs N           executions per target (default 1000000)
#   --max-time S       wall-clock cap per target (default 1800); a target stopped by it
#                      before N executions is reported as "short"
#   --merge            afterwards, add the inputs that found new coverage to the committed
#                      corpus (libFuzzer -merge=1 keeps only those; check the size before committing)
#   SANITIZER=address  build with AddressSanitizer (default: none; the code is safe Rust, and
#                      debug assertions and overflow checks are on either way)
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=1000000
max_time=1800
merge=0
targets=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --runs) runs="${2:?--runs needs a number}"; shift 2 ;;
        --max-time) max_time="${2:?--max-time needs seconds}"; shift 2 ;;
        --merge) merge=1; shift ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
[[ "$runs" =~ ^[0-9]+$ && "$max_time" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: --runs and --max-time take whole numbers" >&2; exit 2; }

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: needs the nightly toolchain and cargo-fuzz: cargo install cargo-fuzz --locked" >&2
    exit 2
fi
all=$(cd fuzz && cargo +nightly fuzz list)
if [[ ${#targets[@]} -eq 0 ]]; then
    mapfile -t targets <<<"$all"
fi
for t in "${targets[@]}"; do
    grep -qx "$t" <<<"$all" || { echo "fuzz.sh: no target '$t' (have: $(echo $all))" >&2; exit 2; }
done

sanitizer="${SANITIZER:-none}"
echo "== build (sanitizer: $sanitizer)"
for t in "${targets[@]}"; do
    (cd fuzz && cargo +nightly fuzz build --sanitizer "$sanitizer" "$t")
done
triple=$(rustc +nightly -vV | sed -n 's/^host: //p')
bin_dir="fuzz/target/$triple/release"

# `--resolve` entries may name a host, which is looked up through the resolver: run the
# fuzzers in a private network namespace when the kernel allows it, so nothing leaves the
# machine and lookups fail at once.
isolate=()
if unshare -rn true 2>/dev/null; then
    isolate=(unshare -rn)
else
    echo "note: unshare -rn is not available; --resolve host names go to the system resolver"
fi

declare -A execs crashes secs status
failed=0
for t in "${targets[@]}"; do
    work="fuzz/target/corpus-work/$t"
    artifacts="fuzz/artifacts/$t/"
    log="fuzz/target/fuzz-$t.log"
    rm -rf "$work"
    mkdir -p "$work" "$artifacts"
    before=$(find "$artifacts" -type f | wc -l)
    echo "== $t: up to $runs executions or $max_time s"
    # Identity responses register every accepted token in the run's secrets registry, whose
    # cost grows with the token: keep bodies to real tokens' sizes (a few KiB).
    case "$t" in
        identity_response) max_len=4096 ;;
        *) max_len=16384 ;;
    esac
    start=$(date +%s)
    set +e
    "${isolate[@]}" "$bin_dir/$t" "$work" "fuzz/corpus/$t" \
        -runs="$runs" -max_total_time="$max_time" -timeout=10 -rss_limit_mb=1024 \
        -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$artifacts" >"$log" 2>&1
    rc=$?
    set -e
    secs[$t]=$(( $(date +%s) - start ))
    execs[$t]=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    execs[$t]=${execs[$t]:-0}
    found=$(( $(find "$artifacts" -type f | wc -l) - before ))
    if [[ $rc -ne 0 && $found -eq 0 ]]; then found=1; fi
    crashes[$t]=$found
    if [[ $found -gt 0 ]]; then
        status[$t]="CRASH"
        failed=1
        grep -E -m3 "panicked at|ERROR: libFuzzer|SUMMARY" "$log" | sed 's/^/    /' || true
        echo "    log: $log; inputs: $artifacts"
    elif [[ ${execs[$t]} -lt $runs ]]; then
        status[$t]="short"
    else
        status[$t]="ok"
    fi
    if [[ $merge -eq 1 && $found -eq 0 ]]; then
        "${isolate[@]}" "$bin_dir/$t" -merge=1 -max_len="$max_len" "fuzz/corpus/$t" "$work" >>"$log" 2>&1
    fi
done

echo
echo "fuzzing $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD), sanitizer $sanitizer"
printf '%-20s %12s %8s %8s  %s\n' target executions crashes seconds status
for t in "${targets[@]}"; do
    printf '%-20s %12s %8s %8s  %s\n' "$t" "${execs[$t]}" "${crashes[$t]}" "${secs[$t]}" "${status[$t]}"
done
exit $failed
