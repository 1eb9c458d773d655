/**
 * Random challenge tokens and management secrets. The token is public by
 * design (it gets published in DNS or on the web server); the management
 * secret is shown once and only its SHA-256 is stored. 256 random bits make
 * a slow hash unnecessary: there is nothing to guess.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new challenge token: 24 random bytes, base64url (32 characters). */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** A new management secret: 32 random bytes, base64url, prefixed so it is recognisable in a leak scan. */
export function newSecret(): string {
  return `chatlas_${randomBytes(32).toString('base64url')}`;
}

/** The stored form of a secret. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Whether `secret` matches `storedHash`, in constant time. An empty stored hash never matches. */
export function secretMatches(secret: string, storedHash: string): boolean {
  if (storedHash.length !== 64) return false;
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A salted hash of a client address, stored for abuse limits instead of the address. */
export function hashClient(client: string, salt: string): string {
  return createHash('sha256').update(`${salt}\0${client}`).digest('hex').slice(0, 32);
}
