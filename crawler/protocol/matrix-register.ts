/**
 * Matrix registration mode, found without creating an account.
 *
 * Spec: Matrix Specification v1.16
 * - Client-Server API `POST /_matrix/client/v3/register` and "User-Interactive
 *   Authentication API" (a 401 carries `flows[].stages`):
 *   https://spec.matrix.org/v1.16/client-server-api/#post_matrixclientv3register
 *   https://spec.matrix.org/v1.16/client-server-api/#user-interactive-authentication-api
 * - Client-Server API `GET /_matrix/client/v1/auth_metadata` (OAuth 2.0 server
 *   metadata, RFC 8414 fields; unstable MSC2965 form before v1.15):
 *   https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv1auth_metadata
 *
 * An empty `POST /register {}` never completes a stage, so nothing is created:
 * the server answers 401 with its flows when registration is offered and
 * 403 `M_FORBIDDEN` when it is off (Synapse `rest/client/register.py`
 * `RegisterRestServlet.on_POST`, "Registration has been disabled").
 */
import type { RegistrationMode } from '../types.ts';
import { ProbeError } from '../errors.ts';
import { isObject, parseJsonObject, str } from './matrix-json.ts';

/** What the empty `POST /register {}` told us. */
export interface RegisterProbe {
  /** HTTP status of the answer. */
  status: number;
  /** Mode read from this answer alone. */
  mode: RegistrationMode;
  /** UIA flows (`stages` lists), when sent. */
  flows: string[][];
  /** `errcode` of an error answer, else ''. */
  errcode: string;
  /** `error` text of an error answer (cut), else ''. */
  reason: string;
}

/** Stages that are no barrier to anyone. */
const FREE_STAGES = new Set(['m.login.dummy', 'm.login.terms']);
/** Modes ranked from least to most restrictive; a server's mode is its least restrictive flow. */
const RANK: readonly RegistrationMode[] = ['open', 'captcha', 'email', 'token', 'unknown'];

/** Mode of one flow: its most restrictive stage. */
export function flowMode(stages: readonly string[]): RegistrationMode {
  let worst: RegistrationMode = 'open';
  for (const stage of stages) {
    let mode: RegistrationMode;
    if (FREE_STAGES.has(stage)) mode = 'open';
    else if (stage === 'm.login.recaptcha') mode = 'captcha';
    else if (stage === 'm.login.email.identity' || stage === 'm.login.msisdn') mode = 'email';
    // The unstable name predates the spec (MSC3231).
    else if (stage === 'm.login.registration_token' || stage === 'org.matrix.msc3231.login.registration_token') mode = 'token';
    else mode = 'unknown';
    if (RANK.indexOf(mode) > RANK.indexOf(worst)) worst = mode;
  }
  return worst;
}

/**
 * Interpret the answer to `POST /register {}`.
 * @param status HTTP status.
 * @param text the body (JSON expected; a non-JSON 404/405 means the endpoint is absent).
 */
export function parseRegisterResponse(status: number, text: string): RegisterProbe | ProbeError {
  const doc = parseJsonObject(text, 256 * 1024);
  if (doc instanceof ProbeError) {
    // Reverse proxies answer 404/405 with HTML when the endpoint is blocked: registration is not offered here.
    if (status === 404 || status === 405) return { status, mode: 'closed', flows: [], errcode: '', reason: `HTTP ${status}` };
    return doc;
  }
  const errcode = str(doc['errcode'], 100);
  const reason = str(doc['error'], 300);
  if (status === 401) {
    const list = doc['flows'];
    if (!Array.isArray(list)) return new ProbeError('json.schema', '401 without a "flows" array');
    const flows = list.slice(0, 50).filter(isObject).map((f) => Array.isArray(f['stages'])
      ? f['stages'].slice(0, 20).filter((s): s is string => typeof s === 'string').map((s) => s.slice(0, 200))
      : []);
    if (flows.length === 0) return { status, mode: 'unknown', flows, errcode, reason };
    const mode = flows.map(flowMode).reduce((best, m) => (RANK.indexOf(m) < RANK.indexOf(best) ? m : best), 'unknown' as RegistrationMode);
    return { status, mode, flows, errcode, reason };
  }
  if (status === 403 || status === 404 || status === 405) return { status, mode: 'closed', flows: [], errcode, reason };
  // 429 and anything else: we cannot tell.
  return { status, mode: 'unknown', flows: [], errcode, reason };
}

/** OAuth 2.0 authorization server metadata published for next-generation auth. */
export interface AuthMetadata {
  issuer: string;
  /** `registration_endpoint` (dynamic client registration, not user sign-up), or ''. */
  registrationEndpoint: string;
  /** `account_management_uri`, or ''. */
  accountManagementUri: string;
  /** `prompt_values_supported`: `create` means the issuer offers user sign-up. */
  promptValues: string[];
}

/** Parse `GET /_matrix/client/v1/auth_metadata` (or the MSC2965 unstable path). */
export function parseAuthMetadata(text: string): AuthMetadata | ProbeError {
  const doc = parseJsonObject(text, 256 * 1024);
  if (doc instanceof ProbeError) return doc;
  const issuer = str(doc['issuer'], 500);
  if (!issuer) return new ProbeError('json.schema', '"issuer" is missing');
  const prompts = doc['prompt_values_supported'];
  return {
    issuer,
    registrationEndpoint: str(doc['registration_endpoint'], 500),
    accountManagementUri: str(doc['account_management_uri'], 500),
    promptValues: Array.isArray(prompts) ? prompts.filter((p): p is string => typeof p === 'string').slice(0, 20) : [],
  };
}

/**
 * The server's registration mode from everything observed.
 * - delegated OIDC auth: `web` when the issuer advertises `prompt=create`, else `sso`;
 * - `/register` refused but the only login is SSO: `sso` (accounts come from the identity provider);
 * - else the `/register` answer.
 */
export function decideRegistration(input: {
  register: RegisterProbe | null;
  authMetadata: AuthMetadata | null;
  loginFlowTypes: readonly string[];
}): RegistrationMode {
  if (input.authMetadata) return input.authMetadata.promptValues.includes('create') ? 'web' : 'sso';
  const reg = input.register;
  if (reg === null) return 'unknown';
  if (reg.mode === 'closed') {
    const types = input.loginFlowTypes;
    if (types.includes('m.login.sso') && !types.includes('m.login.password')) return 'sso';
  }
  return reg.mode;
}
