/**
 * Check a signed request another Matrix server sent to Chatlas (`Authorization: X-Matrix …`),
 * as the spec's "Request Authentication" asks of a receiving server:
 * https://spec.matrix.org/v1.16/server-server-api/#request-authentication
 *
 * The header is parsed strictly (crawler/protocol/matrix-request-auth.ts), its destination must be
 * our server name, the origin must be a valid server name, the origin's key is fetched through
 * the guarded network layer (federation/remote-keys.ts, bounded per minute) and must still be
 * valid now, and the signature over method, uri, origin, destination and content must verify.
 * Anything else is a 401 `M_UNAUTHORIZED` with nothing stored.
 */
import { ProbeError } from '../crawler/errors.ts';
import { parseServerName } from '../crawler/protocol/matrix-server-name.ts';
import { parseXMatrixHeader, verifyFederationRequest } from '../crawler/protocol/matrix-request-auth.ts';
import type { RemoteKeys } from './remote-keys.ts';

/** One inbound request, exactly as received. */
export interface InboundRequest {
  method: string;
  /** Path and query as sent on the request line, e.g. `/_matrix/federation/v1/publicRooms?limit=10`. */
  uri: string;
  /** The Authorization header, or undefined when absent. */
  authorization: string | undefined;
  /** The parsed JSON body of a request that has one. */
  content?: unknown;
}

/** A request whose signature verified. */
export interface VerifiedOrigin {
  /** The origin server name, as signed. */
  origin: string;
  keyId: string;
}

/**
 * Verify `request` as received by `ownServerName`.
 * @param now the clock (ms), for the key's validity.
 * @returns the verified origin, or a ProbeError whose message is safe to send back.
 */
export async function verifyInbound(request: InboundRequest, ownServerName: string, keys: RemoteKeys, now: number): Promise<VerifiedOrigin | ProbeError> {
  if (request.authorization === undefined) return new ProbeError('matrix.bad-auth-header', 'missing Authorization header');
  const auth = parseXMatrixHeader(request.authorization);
  if (auth instanceof ProbeError) return auth;
  // Checked before any key fetch, so a request meant for another server never makes us dial out.
  if (auth.destination !== null && auth.destination !== ownServerName) {
    return new ProbeError('matrix.bad-signature', `the request is for ${JSON.stringify(auth.destination.slice(0, 100))}, not ${JSON.stringify(ownServerName)}`);
  }
  const origin = parseServerName(auth.origin);
  if (origin instanceof ProbeError) return new ProbeError('matrix.bad-auth-header', `origin: ${origin.message}`);
  if (auth.origin === ownServerName) return new ProbeError('matrix.bad-signature', 'a request cannot come from our own server name');
  const key = await keys.key(auth.origin, auth.keyId);
  if (key instanceof ProbeError) return key;
  if (key.validUntilTs < now) return new ProbeError('matrix.bad-signature', `key ${auth.keyId.slice(0, 60)} of ${auth.origin.slice(0, 100)} expired`);
  const ok = verifyFederationRequest(
    { method: request.method, uri: request.uri, ...(request.content !== undefined ? { content: request.content } : {}) },
    auth, ownServerName, key.publicKey,
  );
  if (ok instanceof ProbeError) return ok;
  return { origin: auth.origin, keyId: auth.keyId };
}
