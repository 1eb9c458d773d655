/**
 * Bounded JSON decoding shared by the Matrix parsers.
 *
 * Spec: Matrix Specification v1.16, "Appendices / Canonical JSON" and the
 * API conventions (JSON bodies, UTF-8): https://spec.matrix.org/v1.16/appendices/#canonical-json
 *
 * Every Matrix response is untrusted: the text is size-checked before
 * `JSON.parse`, and helpers below read fields without trusting their types.
 */
import { ProbeError } from '../errors.ts';

/** Default cap on a JSON body handed to a parser (the HTTP layer caps bytes first). @default 1 MiB */
export const DEFAULT_MAX_JSON_CHARS = 1024 * 1024;

/** A parsed JSON object (never an array or a scalar). */
export type JsonObject = Record<string, unknown>;

/**
 * Parse `text` as a JSON object.
 * @returns the object, or a ProbeError `json.invalid` (not JSON / too large) or `json.schema` (not an object).
 */
export function parseJsonObject(text: string, maxChars: number = DEFAULT_MAX_JSON_CHARS): JsonObject | ProbeError {
  if (text.length > maxChars) {
    return new ProbeError('json.invalid', `JSON body of ${text.length} characters exceeds the cap of ${maxChars}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return new ProbeError('json.invalid', `invalid JSON: ${(error as Error).message.slice(0, 120)}`);
  }
  if (!isObject(value)) return new ProbeError('json.schema', `expected a JSON object, got ${describe(value)}`);
  return value;
}

/** True for a plain JSON object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string field cut to `max` characters, or '' when absent or not a string. */
export function str(value: unknown, max = 1000): string {
  return typeof value === 'string' ? value.slice(0, max) : '';
}

/** A non-negative safe integer, or null. */
export function nonNegInt(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/** A boolean field, or null when absent or not boolean. */
export function bool(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** One word naming a JSON value's type, for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * Canonical JSON (spec appendix): keys sorted by code point, no insignificant
 * whitespace, integers only. `JSON.stringify` already escapes exactly what
 * canonical JSON escapes (quote, backslash, control characters as `\u00xx`).
 * @returns the text, or null when the value holds a non-integer number.
 */
export function canonicalJson(value: unknown): string | null {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : null;
  if (Array.isArray(value)) {
    const parts: string[] = [];
    for (const item of value) {
      const part = canonicalJson(item);
      if (part === null) return null;
      parts.push(part);
    }
    return `[${parts.join(',')}]`;
  }
  if (isObject(value)) {
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const parts: string[] = [];
    for (const key of keys) {
      const part = canonicalJson(value[key]);
      if (part === null) return null;
      parts.push(`${JSON.stringify(key)}:${part}`);
    }
    return `{${parts.join(',')}}`;
  }
  return null;
}
