/**
 * Matrix login flows.
 *
 * Spec: Matrix Specification v1.16, Client-Server API `GET /_matrix/client/v3/login`
 * and "Single Sign-On" identity providers:
 * https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3login
 */
import { ProbeError } from '../errors.ts';
import { isObject, parseJsonObject, str } from './matrix-json.ts';

/** One SSO identity provider as advertised on `m.login.sso`. */
export interface IdentityProvider {
  id: string;
  name: string;
  /** `brand` (e.g. `github`, `google`), or ''. */
  brand: string;
  /** `icon` mxc URI, or ''. */
  icon: string;
}

/** A parsed login flow list. */
export interface LoginFlows {
  /** Flow types in order sent, deduplicated (`m.login.password`, `m.login.sso`, …). */
  flowTypes: string[];
  /** Identity providers of `m.login.sso` / `m.login.cas` flows. */
  identityProviders: IdentityProvider[];
  /** `m.login.token` flow with `get_login_token: true` (QR / sign-in-with-other-device). */
  getLoginToken: boolean;
}

/** Most flows and providers kept. @default 50 */
export const MAX_LOGIN_ENTRIES = 50;

/** Parse `GET /_matrix/client/v3/login`. */
export function parseLoginFlows(text: string): LoginFlows | ProbeError {
  const doc = parseJsonObject(text, 256 * 1024);
  if (doc instanceof ProbeError) return doc;
  const flows = doc['flows'];
  if (!Array.isArray(flows)) return new ProbeError('json.schema', '"flows" is missing or not an array');
  const flowTypes: string[] = [];
  const identityProviders: IdentityProvider[] = [];
  let getLoginToken = false;
  for (const flow of flows.slice(0, MAX_LOGIN_ENTRIES)) {
    if (!isObject(flow)) continue;
    const type = str(flow['type'], 200);
    if (!type) continue;
    if (!flowTypes.includes(type)) flowTypes.push(type);
    if (type === 'm.login.token' && flow['get_login_token'] === true) getLoginToken = true;
    const idps = flow['identity_providers'];
    if (!Array.isArray(idps)) continue;
    for (const idp of idps) {
      if (identityProviders.length >= MAX_LOGIN_ENTRIES) break;
      if (!isObject(idp) || typeof idp['id'] !== 'string') continue;
      if (identityProviders.some((p) => p.id === idp['id'])) continue;
      identityProviders.push({ id: str(idp['id'], 200), name: str(idp['name'], 200), brand: str(idp['brand'], 100), icon: str(idp['icon'], 500) });
    }
  }
  return { flowTypes, identityProviders, getLoginToken };
}
