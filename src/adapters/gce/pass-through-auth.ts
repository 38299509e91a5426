// Credentials for talking to the Compute emulator: a fixed bearer token, like gcloud's
// CLOUDSDK_AUTH_ACCESS_TOKEN. Handing google-gax an `authClient` makes it use that client as is:
// no GoogleAuth is created, so Application Default Credentials, the gcloud config and the
// metadata server are never consulted. The token never expires and there is no refresh token,
// so a 401/403 from the server is reported instead of triggering a refresh.

import { OAuth2Client } from 'google-auth-library';

export function passThroughAuthClient(token = 'emulator'): OAuth2Client {
  const client = new OAuth2Client();
  client.setCredentials({ access_token: token, token_type: 'Bearer' });
  return client;
}
