/**
 * SASL SCRAM-SHA-1 and PLAIN for the observer account.
 *
 * Spec: RFC 5802 "Salted Challenge Response Authentication Mechanism (SCRAM)
 * SASL and GSS-API Mechanisms", https://www.rfc-editor.org/rfc/rfc5802 (§3
 * algorithm, §5.1 attributes, §7 formal syntax); RFC 4616 "The PLAIN SASL
 * Mechanism"; used over XMPP per RFC 6120 §6. Channel binding is not used
 * (gs2 header `n,,`). Pure: strings in, strings or ProbeError out.
 *
 * The password is used as given (no SASLprep): observer passwords are
 * chosen by the operator, and ASCII ones are SASLprep-invariant.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { ProbeError } from '../errors.ts';

/** Highest iteration count we accept: bounds the CPU a server can make us spend. @default 500000 */
export const MAX_SCRAM_ITERATIONS = 500_000;

/** RFC 5802 §5.1 saslname escaping. */
const saslName = (s: string): string => s.replace(/=/g, '=3D').replace(/,/g, '=2C');

/** Base64 of the PLAIN message `\0user\0password` (RFC 4616 §2). */
export function plainMessage(user: string, password: string): string {
  return Buffer.from(`\0${user}\0${password}`, 'utf8').toString('base64');
}

/** A SCRAM-SHA-1 exchange in progress. */
export interface ScramState {
  clientFirstBare: string;
  nonce: string;
  password: string;
  /** Expected server signature (base64), set by {@link scramClientFinal}. */
  serverSignature: string;
}

/** Start: the client-first message (base64) and the state to keep. */
export function scramClientFirst(user: string, password: string, nonce = randomBytes(18).toString('base64')): { message: string; state: ScramState } {
  const clientFirstBare = `n=${saslName(user)},r=${nonce}`;
  return { message: Buffer.from(`n,,${clientFirstBare}`).toString('base64'), state: { clientFirstBare, nonce, password, serverSignature: '' } };
}

const hmac = (key: Buffer, data: string): Buffer => createHmac('sha1', key).update(data).digest();

/** Answer the server-first message (base64 challenge) with client-final (base64). */
export function scramClientFinal(state: ScramState, challengeB64: string): string | ProbeError {
  const serverFirst = Buffer.from(challengeB64, 'base64').toString('utf8');
  const attrs = new Map(serverFirst.split(',').map((p) => [p.slice(0, 1), p.slice(2)] as const));
  const nonce = attrs.get('r') ?? '';
  const salt = Buffer.from(attrs.get('s') ?? '', 'base64');
  const iterations = Number(attrs.get('i'));
  if (!nonce.startsWith(state.nonce) || nonce.length <= state.nonce.length) return new ProbeError('xmpp.auth-failed', 'SCRAM: server nonce does not extend ours');
  if (salt.length === 0 || !Number.isInteger(iterations) || iterations < 1 || iterations > MAX_SCRAM_ITERATIONS) {
    return new ProbeError('xmpp.auth-failed', `SCRAM: unusable salt or iteration count ${JSON.stringify(attrs.get('i'))}`);
  }
  const withoutProof = `c=biws,r=${nonce}`;
  const authMessage = `${state.clientFirstBare},${serverFirst},${withoutProof}`;
  const salted = pbkdf2Sync(state.password, salt, iterations, 20, 'sha1');
  const clientKey = hmac(salted, 'Client Key');
  const storedKey = createHash('sha1').update(clientKey).digest();
  const signature = hmac(storedKey, authMessage);
  const proof = Buffer.alloc(clientKey.length);
  for (let i = 0; i < proof.length; i++) proof[i] = (clientKey[i] ?? 0) ^ (signature[i] ?? 0);
  state.serverSignature = hmac(hmac(salted, 'Server Key'), authMessage).toString('base64');
  return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`).toString('base64');
}

/** Check the server's `v=` in the success data: proves the server knew the password. */
export function scramVerifyServer(state: ScramState, successB64: string): boolean {
  const text = Buffer.from(successB64, 'base64').toString('utf8');
  const v = /(?:^|,)v=([^,]+)/.exec(text)?.[1] ?? '';
  const a = Buffer.from(v);
  const b = Buffer.from(state.serverSignature);
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}
