"""google-auth, unpatched: Application Default Credentials from the external_account file
wif-doctor wrote, a refresh (subject token, STS), the project ID lookup, and a Vertex AI
countTokens call through AuthorizedSession. Asserts on each result; never prints a token.

Environment: GOOGLE_APPLICATION_CREDENTIALS, GCP_PROJECT_ID, GCP_LOCATION, GCP_VERTEX_MODEL
(and whatever `wif-doctor simulate` exported: proxy, CA bundle)."""

import datetime
import os
import sys

import google.auth
from google.auth import external_account
from google.auth.transport.requests import AuthorizedSession, Request

SCOPE = "https://www.googleapis.com/auth/cloud-platform"


def main() -> int:
    project_id = os.environ["GCP_PROJECT_ID"]
    location = os.environ["GCP_LOCATION"]
    model = os.environ["GCP_VERTEX_MODEL"]

    creds, project = google.auth.default(scopes=[SCOPE])
    assert isinstance(creds, external_account.Credentials), type(creds)
    creds.refresh(Request())
    assert creds.token, "no access token after refresh"
    assert creds.expiry and creds.expiry > datetime.datetime.now(
        datetime.timezone.utc
    ).replace(tzinfo=None), creds.expiry
    # google.auth.default() resolves the project ID from the audience's project number
    # (Cloud Resource Manager projects.get).
    assert project == project_id, f"project {project!r}, expected {project_id!r}"

    url = (
        f"https://{location}-aiplatform.googleapis.com/v1/projects/{project_id}"
        f"/locations/{location}/publishers/google/models/{model}:countTokens"
    )
    body = {"contents": [{"role": "user", "parts": [{"text": "ping from google-auth"}]}]}
    resp = AuthorizedSession(creds).post(url, json=body, timeout=30)
    assert resp.status_code == 200, f"countTokens: HTTP {resp.status_code}: {resp.text}"
    total = resp.json().get("totalTokens")
    assert isinstance(total, int) and total > 0, resp.text
    print(f"google-auth {google.auth.__version__}: token obtained, project {project}, totalTokens {total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
