/**
 * Chatlas's own Matrix federation identity as the probe uses it: every federation request that
 * needs authentication (the federation room directory, `query/directory`, `hierarchy`) carries
 * an `Authorization: X-Matrix …` header signed with the identity's current key, for the probed
 * server's name as `destination` (spec v1.11+ form). The key comes from the store
 * (federation/identity.ts); the crawler only receives it as a value.
 *
 * Spec: Server-Server API v1.16 "Request Authentication":
 * https://spec.matrix.org/v1.16/server-server-api/#request-authentication
 */
import { ProbeError } from '../errors.ts';
import { signFederationRequest } from '../protocol/matrix-request-auth.ts';
import type { SigningKey } from '../protocol/matrix-signing.ts';

/** The server name Chatlas federates as and the key it signs with. */
export interface FederationIdentity {
  serverName: string;
  key: SigningKey;
}

/**
 * The headers of one signed request from `identity` to `destination` (a Matrix server name,
 * before delegation), or the ProbeError that kept it from being signed.
 */
export function signedHeaders(identity: FederationIdentity, destination: string, method: 'GET' | 'POST', uri: string, content?: unknown): Record<string, string> | ProbeError {
  const header = signFederationRequest({ method, uri, origin: identity.serverName, destination, ...(content !== undefined ? { content } : {}) }, identity.key);
  if (header instanceof ProbeError) return header;
  return { authorization: header };
}
