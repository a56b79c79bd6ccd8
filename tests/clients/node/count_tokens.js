// google-auth-library, unpatched: GoogleAuth().getClient() on the external_account file
// wif-doctor wrote, the project ID lookup, an access token, and a Vertex AI countTokens
// request through the client. Asserts on each result; never prints a token.
//
// Environment: GOOGLE_APPLICATION_CREDENTIALS, GCP_PROJECT_ID, GCP_LOCATION, GCP_VERTEX_MODEL,
// NODE_PATH pointing at the installed node_modules.
'use strict';

const assert = require('node:assert/strict');
const { GoogleAuth } = require('google-auth-library');
const { version } = require('google-auth-library/package.json');

async function main() {
  const projectId = process.env.GCP_PROJECT_ID;
  const location = process.env.GCP_LOCATION;
  const model = process.env.GCP_VERTEX_MODEL;

  const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
  const client = await auth.getClient();
  const token = await client.getAccessToken();
  assert.ok(token.token, 'no access token');
  const project = await auth.getProjectId();
  assert.equal(project, projectId, 'project ID from projects.get');

  const url =
    `https://${location}-aiplatform.googleapis.com/v1/projects/${projectId}` +
    `/locations/${location}/publishers/google/models/${model}:countTokens`;
  const res = await client.request({
    url,
    method: 'POST',
    data: { contents: [{ role: 'user', parts: [{ text: 'ping from google-auth-library' }] }] },
  });
  assert.equal(res.status, 200);
  assert.ok(Number.isInteger(res.data.totalTokens) && res.data.totalTokens > 0, JSON.stringify(res.data));
  console.log(
    `google-auth-library ${version} (${client.constructor.name}): token obtained, project ${project}, totalTokens ${res.data.totalTokens}`,
  );
}

main().catch((e) => {
  // The error's message only: a response object could echo request headers.
  console.error(`google-auth-library: ${e && e.message ? e.message : e}`);
  process.exit(1);
});
