"""google-genai, unpatched: the seed's app path with today's SDK —
Client(vertexai=True, project=…, location=…).models.count_tokens — on Application Default
Credentials from the external_account file wif-doctor wrote. Asserts on the result.

Environment: GOOGLE_APPLICATION_CREDENTIALS, GCP_PROJECT_ID, GCP_LOCATION, GCP_VERTEX_MODEL."""

import os
import sys

from google import genai


def main() -> int:
    client = genai.Client(
        vertexai=True,
        project=os.environ["GCP_PROJECT_ID"],
        location=os.environ["GCP_LOCATION"],
    )
    resp = client.models.count_tokens(
        model=os.environ["GCP_VERTEX_MODEL"], contents="ping from google-genai"
    )
    total = resp.total_tokens
    assert isinstance(total, int) and total > 0, resp
    print(f"google-genai {genai.__version__}: totalTokens {total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
