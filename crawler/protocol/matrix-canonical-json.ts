/**
 * Matrix canonical JSON: the byte form that ed25519 signatures cover.
 *
 * Spec: Matrix Specification v1.16, "Appendices / Signing JSON / Canonical JSON":
 * https://spec.matrix.org/v1.16/appendices/#canonical-json
 * (source: matrix-org/matrix-spec `content/appendices.md`)
 *
 *   "the shortest UTF-8 JSON encoding with dictionary keys lexicographically
 *   sorted by Unicode codepoint. Numbers in the JSON must be integers in the
 *   range [-(2**53)+1, (2**53)-1], represented without exponents or decimal
 *   places, and negative zero -0 MUST NOT appear." Floats are not permitted.
 *
 * Strict where the spec is: a value that has no canonical form (a float, an
 * integer out of range, NaN, a lone UTF-16 surrogate that UTF-8 cannot carry,
 * a Date, a Map, a cycle) is a ProbeError `json.not-canonical`, never a
 * silently different encoding. The spec's reference is Python's `json.dumps(
 * ensure_ascii=False, separators=(',', ':'), sort_keys=True)`; its string
 * escapes (`\"`, `\\`, `\b \f \n \r \t`, other controls as lower-case `\u00xx`,
 * nothing else) are exactly what `JSON.stringify` writes for a well-formed string.
 */
import { ProbeError } from '../errors.ts';

/** Largest magnitude of an integer in canonical JSON: 2^53 - 1 (`Number.MAX_SAFE_INTEGER`). */
export const CANONICAL_JSON_MAX_INTEGER = Number.MAX_SAFE_INTEGER;

/** Options of {@link encodeCanonicalJson}. */
export interface CanonicalJsonOptions {
  /**
   * Deepest nesting of arrays and objects accepted. Bounds the recursion, so
   * hostile input (`[[[[…` from a peer) fails with a ProbeError instead of a
   * stack overflow, and turns a cycle into an error.
   * @default 64
   */
  maxDepth?: number;
}

/** Default of {@link CanonicalJsonOptions.maxDepth}. */
export const DEFAULT_CANONICAL_MAX_DEPTH = 64;

/**
 * Encode `value` as Matrix canonical JSON.
 *
 * Accepts what `JSON.parse` produces (null, booleans, strings, numbers,
 * arrays, plain objects) plus object members whose value is `undefined`,
 * which are left out exactly as `JSON.stringify` leaves them out of a request
 * body. `-0` is written `0`, as the spec's own example shows.
 *
 * @returns the canonical text (UTF-8 encode it to get the signed bytes), or a
 * ProbeError `json.not-canonical` naming the JSON path of the first value that
 * has no canonical form.
 * @example encodeCanonicalJson({ b: '2', a: '1' }) // '{"a":"1","b":"2"}'
 */
export function encodeCanonicalJson(value: unknown, options: CanonicalJsonOptions = {}): string | ProbeError {
  const maxDepth = options.maxDepth ?? DEFAULT_CANONICAL_MAX_DEPTH;
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 1) {
    throw new RangeError(`maxDepth must be a positive integer, got ${String(maxDepth)}`);
  }
  const parts: string[] = [];
  const problem = encodeInto(value, parts, '$', 0, maxDepth);
  if (problem !== null) return new ProbeError('json.not-canonical', `no canonical JSON form: ${problem}`);
  return parts.join('');
}

/**
 * Order two strings by Unicode code point, as the spec's key sort requires.
 * JavaScript's default order compares UTF-16 code units, which differs for a
 * supplementary character (a surrogate pair, code units D800-DFFF) against a
 * BMP character in E000-FFFF: `'\u{1F600}' < '\uFFFD'` by code unit, `>` by
 * code point. Lifting surrogates above E000-FFFF at the first difference fixes
 * that and keeps every other order (both surrogates, or neither) unchanged.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return lift(x) - lift(y);
  }
  return a.length - b.length;
}

function lift(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** Append the encoding of `value` to `out`; returns null, or why it cannot be encoded. */
function encodeInto(value: unknown, out: string[], path: string, depth: number, maxDepth: number): string | null {
  switch (typeof value) {
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return null;
    case 'string':
      // A lone surrogate has no UTF-8 encoding; JSON.stringify would escape it as \udxxx,
      // which is not in the canonical grammar's escape list.
      if (!value.isWellFormed()) return `${path} holds a lone UTF-16 surrogate`;
      out.push(JSON.stringify(value));
      return null;
    case 'number':
      if (!Number.isInteger(value)) return `${path} is ${String(value)}, not an integer`;
      if (Math.abs(value) > CANONICAL_JSON_MAX_INTEGER) return `${path} is ${String(value)}, outside [-(2^53)+1, 2^53-1]`;
      // String(-0) is "0": the spec's example maps -0 to 0.
      out.push(String(value));
      return null;
    case 'object':
      break;
    default:
      return `${path} is a ${typeof value}`;
  }
  if (value === null) {
    out.push('null');
    return null;
  }
  if (depth >= maxDepth) return `${path} is nested deeper than ${maxDepth}`;
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      // A hole or undefined element would be written `null` by JSON.stringify: ambiguous, so refused.
      const problem = encodeInto(value[i], out, `${path}[${i}]`, depth + 1, maxDepth);
      if (problem !== null) return problem;
    }
    out.push(']');
    return null;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return `${path} is not a plain object`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort(compareCodePoints);
  out.push('{');
  for (const [i, key] of keys.entries()) {
    if (i > 0) out.push(',');
    if (!key.isWellFormed()) return `a key under ${path} holds a lone UTF-16 surrogate`;
    out.push(JSON.stringify(key), ':');
    const problem = encodeInto(record[key], out, `${path}.${key.slice(0, 40)}`, depth + 1, maxDepth);
    if (problem !== null) return problem;
  }
  out.push('}');
  return null;
}
