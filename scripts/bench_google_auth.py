"""Reference client for benches/cold_start.rs: Google's google-auth refreshes an
external_account credential (identity endpoint -> STS) and makes one Vertex AI countTokens
call, as an app would. Usage: bench_google_auth.py CREDENTIAL_FILE COUNT_TOKENS_URL
Prints `after-imports-ms N` (time from after the imports to the answer)."""
import sys
import time

import google.auth
import google.auth.transport.requests

start = time.perf_counter()
creds, _ = google.auth.load_credentials_from_file(
    sys.argv[1], scopes=["https://www.googleapis.com/auth/cloud-platform"]
)
session = google.auth.transport.requests.AuthorizedSession(creds)
resp = session.post(
    sys.argv[2], json={"contents": [{"role": "user", "parts": [{"text": "ping"}]}]}
)
if resp.status_code != 200:
    print(f"countTokens answered {resp.status_code}: {resp.text[:300]}")
    sys.exit(1)
print(f"after-imports-ms {(time.perf_counter() - start) * 1000:.1f}")
