// Who the client calls as: a bearer token (static, or fetched per request from a provider, for
// tokens that expire) and, optionally, the user it acts for.

/** Returns the token for the next request; called once per request (cache in it if fetching is costly). */
export type TokenProvider = () => string | Promise<string>;

export interface Impersonation {
  /** Sent as `Impersonate-User`. */
  user: string;
  /** Each sent as an `Impersonate-Group` header. */
  groups?: readonly string[];
}

export interface Credentials {
  token: string | TokenProvider;
  impersonate?: Impersonation | undefined;
}

/** Sets the authorization (and impersonation) headers of one request. */
export async function applyCredentials(headers: Headers, credentials: Credentials): Promise<void> {
  const token = typeof credentials.token === 'function' ? await credentials.token() : credentials.token;
  // A token read from a file often ends with a line break.
  headers.set('authorization', `Bearer ${token.trim()}`);
  const impersonate = credentials.impersonate;
  if (!impersonate) return;
  headers.set('impersonate-user', impersonate.user);
  headers.delete('impersonate-group');
  for (const group of impersonate.groups ?? []) headers.append('impersonate-group', group);
}
