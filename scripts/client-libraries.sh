#!/usr/bin/env bash
# Google's own client libraries, pinned and unpatched, against `wif-doctor simulate`:
# for each credential-config form wif-doctor writes, google-auth (refresh + Vertex AI
# countTokens), google-genai (Client(vertexai=True).models.count_tokens) and Node's
# google-auth-library (GoogleAuth().getClient() + countTokens). Clients reach the
# production host names through the simulator's CONNECT proxy and trust its CA through
# the variables it exports: no DNS override, no patching.
#
# Installs (cached under target/clients, keyed by the pinned files):
#   python venv  <- tests/clients/python/requirements.txt (PyPI)
#   node_modules <- tests/clients/node/package.json + package-lock.json (npm ci)
# Closing line: `client libraries: N passed, N failed`; exit 1 on any failure.
# Everything runs on loopback: the simulator's proxy refuses (and logs) any other destination.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$ROOT/target/clients
RUN=$WORK/run
BIN=${WIF_DOCTOR_BIN:-$ROOT/target/debug/wif-doctor}
CLIENT_TIMEOUT=${CLIENT_TIMEOUT:-120}
mkdir -p "$WORK"
echo "== client libraries (google-auth, google-genai, google-auth-library against wif-doctor simulate)"

if [ ! -x "$BIN" ]; then
    cargo build --locked --quiet
fi

digest() { cat "$@" | sha256sum | cut -d' ' -f1; }

install_python() {
    local venv=$WORK/venv req=$ROOT/tests/clients/python/requirements.txt
    local want
    want=$(digest "$req")
    if [ "$(cat "$venv/.installed" 2>/dev/null)" != "$want" ]; then
        echo "installing the Python client libraries into $venv"
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
        echo "$want" >"$venv/.installed"
    fi
    PY=$venv/bin/python
}

install_node() {
    local dir=$WORK/node src=$ROOT/tests/clients/node
    local want
    want=$(digest "$src/package.json" "$src/package-lock.json")
    if [ "$(cat "$dir/.installed" 2>/dev/null)" != "$want" ]; then
        echo "installing the Node client library into $dir"
        rm -rf "$dir"
        mkdir -p "$dir"
        cp "$src/package.json" "$src/package-lock.json" "$dir/"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
        echo "$want" >"$dir/.installed"
    fi
    export NODE_PATH=$dir/node_modules
}

install_python
install_node

rm -rf "$RUN"
mkdir -p "$RUN"
ENV_FILE=$RUN/sim.env
LOG=$RUN/simulate.log

"$BIN" simulate --env-file "$ENV_FILE" >/dev/null 2>"$LOG" &
SIM_PID=$!
stop_sim() {
    kill -TERM "$SIM_PID" 2>/dev/null || true
    wait "$SIM_PID" 2>/dev/null || true
}
trap stop_sim EXIT
for _ in $(seq 600); do
    [ -s "$ENV_FILE" ] && break
    kill -0 "$SIM_PID" 2>/dev/null || { cat "$LOG" >&2; echo "wif-doctor simulate exited" >&2; exit 1; }
    sleep 0.1
done
[ -s "$ENV_FILE" ] || { echo "wif-doctor simulate wrote no env file in 60 s" >&2; exit 1; }
# shellcheck disable=SC1090
. "$ENV_FILE"
# Keep wif-doctor itself off this machine's real /proc and DMI (it must not think it is on
# an Azure VM and probe the metadata address).
mkdir -p "$RUN/sysroot"
export WIF_DOCTOR_SYSROOT=$RUN/sysroot
export HOME=$RUN

# The simulated project's service account (it holds roles/aiplatform.user; the federated
# principal holds roles/iam.workloadIdentityUser on it).
SA_EMAIL=vertex-caller@$GCP_PROJECT_ID.iam.gserviceaccount.com
VERTEX_HOST="$GCP_LOCATION-aiplatform.googleapis.com"
MODEL_PATH="projects/$GCP_PROJECT_ID/locations/$GCP_LOCATION/publishers/google/models/$GCP_VERTEX_MODEL:countTokens"

passed=0
failed=0

# Every config form wif-doctor writes: the url form (header in the file) and the executable
# form (the library runs `wif-doctor subject-token`), each direct and with impersonation,
# and the executable form with its response cached in an output_file.
FORMS=(url url+impersonation executable executable+impersonation executable+output_file)
OUTPUT_FILE=$RUN/.cache/wif-doctor-subject-token.json

write_config() { # FORM PATH
    local form=$1 out=$2
    local args=(config --output "$out" --force)
    case $form in
    executable+output_file)
        mkdir -p "$(dirname "$OUTPUT_FILE")"
        rm -f "$OUTPUT_FILE"
        args+=(--form executable --executable-output-file "$OUTPUT_FILE")
        ;;
    executable*) args+=(--form executable) ;;
    esac
    case $form in
    *+impersonation) GCP_SERVICE_ACCOUNT=$SA_EMAIL "$BIN" "${args[@]}" >/dev/null ;;
    *) env -u GCP_SERVICE_ACCOUNT "$BIN" "${args[@]}" >/dev/null ;;
    esac
}

# Lines the simulator must have logged for one client run.
expected_lines() { # FORM CLIENT
    local form=$1 client=$2 version=v1
    [ "$client" = google-genai ] && version=v1beta1
    echo "GET 127.0.0.1 /msi/token -> 200"
    echo "POST sts.googleapis.com /v1/token -> 200"
    case $form in
    *+impersonation) echo "POST iamcredentials.googleapis.com /v1/projects/-/serviceAccounts/$SA_EMAIL:generateAccessToken -> 200" ;;
    esac
    echo "GET cloudresourcemanager.googleapis.com /v1/projects/$GCP_PROJECT_NUMBER -> 200"
    echo "POST $VERTEX_HOST /$version/$MODEL_PATH -> 200"
}

run_client() { # FORM CLIENT
    local form=$1 client=$2
    local out=$RUN/$form.$client.out cmd
    case $client in
    google-auth) cmd=("$PY" "$ROOT/tests/clients/python/google_auth_vertex.py") ;;
    google-genai) cmd=("$PY" "$ROOT/tests/clients/python/genai_count_tokens.py") ;;
    google-auth-library) cmd=(node "$ROOT/tests/clients/node/count_tokens.js") ;;
    esac
    local mark problems=()
    mark=$(wc -l <"$LOG")
    if ! (
        export GOOGLE_APPLICATION_CREDENTIALS=$RUN/$form.json
        case $form in
        executable*) export GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1 ;;
        esac
        timeout "$CLIENT_TIMEOUT" "${cmd[@]}"
    ) >"$out" 2>&1; then
        problems+=("the client failed: $(tail -n 5 "$out" | tr '\n' ' ')")
    fi
    local seen
    seen=$(tail -n +"$((mark + 1))" "$LOG" | sed 's/^simulate: //')
    while IFS= read -r line; do
        grep -qxF -- "$line" <<<"$seen" || problems+=("the simulator saw no '$line'")
    done < <(expected_lines "$form" "$client")
    # Any error answer from a simulated endpoint is a failure; refused CONNECTs (e.g. a
    # library probing the GCE metadata address) are reported, not fatal.
    local errors
    errors=$(grep -v '^CONNECT ' <<<"$seen" | grep -E ' -> [45][0-9][0-9]' || true)
    [ -z "$errors" ] || problems+=("error answers: $(tr '\n' ';' <<<"$errors")")
    if [ "$form" = executable+output_file ]; then
        # The library ran the command, which cached its success response for the next refresh.
        [ "$(stat -c %a "$OUTPUT_FILE" 2>/dev/null)" = 600 ] || problems+=("output_file is not mode 0600")
        grep -q '"success":true' "$OUTPUT_FILE" 2>/dev/null || problems+=("output_file holds no success response")
    fi
    local refused
    refused=$(grep -E '^CONNECT .* -> 403 refused' <<<"$seen" | sed 's/ -> 403 refused.*//' | sort -u | paste -sd, - || true)

    if [ ${#problems[@]} -eq 0 ]; then
        passed=$((passed + 1))
        echo "ok    $form / $client: $(tail -n 1 "$out")${refused:+ (proxy refused: $refused)}"
    else
        failed=$((failed + 1))
        echo "FAIL  $form / $client"
        printf '        %s\n' "${problems[@]}"
    fi
}

for form in "${FORMS[@]}"; do
    for client in google-auth google-genai google-auth-library; do
        # Written afresh for each client: a cached output_file must not carry over.
        if ! write_config "$form" "$RUN/$form.json" 2>"$RUN/$form.config.err"; then
            failed=$((failed + 1))
            echo "FAIL  $form / $client: wif-doctor config failed: $(tr '\n' ' ' <"$RUN/$form.config.err")"
            continue
        fi
        run_client "$form" "$client"
    done
done

stop_sim
trap - EXIT
if ! grep -qx 'simulate: stopped (SIGTERM)' "$LOG"; then
    failed=$((failed + 1))
    echo "FAIL  wif-doctor simulate did not stop cleanly on SIGTERM"
fi
echo "client libraries: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
