/**
 * Canonical JSON against the spec's own examples: Matrix Specification v1.16,
 * "Appendices / Canonical JSON / Examples", https://spec.matrix.org/v1.16/appendices/#examples
 * (matrix-org/matrix-spec `content/appendices.md`), plus the edges the spec's
 * rules imply (code-point key order, the integer range, the escape grammar).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeError } from '../../../../crawler/errors.ts';
import { compareCodePoints, encodeCanonicalJson } from '../../../../crawler/protocol/matrix-canonical-json.ts';

/** [input JSON text as printed in the spec, canonical output as printed in the spec]. */
const SPEC_EXAMPLES: [string, string][] = [
  ['{}', '{}'],
  ['{\n    "one": 1,\n    "two": "Two"\n}', '{"one":1,"two":"Two"}'],
  ['{\n    "b": "2",\n    "a": "1"\n}', '{"a":"1","b":"2"}'],
  ['{"b":"2","a":"1"}', '{"a":"1","b":"2"}'],
  [
    `{
    "auth": {
        "success": true,
        "mxid": "@john.doe:example.com",
        "profile": {
            "display_name": "John Doe",
            "three_pids": [
                {
                    "medium": "email",
                    "address": "john.doe@example.org"
                },
                {
                    "medium": "msisdn",
                    "address": "123456789"
                }
            ]
        }
    }
}`,
    '{"auth":{"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe","three_pids":[{"address":"john.doe@example.org","medium":"email"},{"address":"123456789","medium":"msisdn"}]},"success":true}}',
  ],
  ['{\n    "a": "日本語"\n}', '{"a":"日本語"}'],
  ['{\n    "本": 2,\n    "日": 1\n}', '{"日":1,"本":2}'],
  ['{\n    "a": "\\u65E5"\n}', '{"a":"日"}'],
  ['{\n    "a": null\n}', '{"a":null}'],
  ['{\n    "a": -0,\n    "b": 1e10\n}', '{"a":0,"b":10000000000}'],
];

for (const [i, [input, expected]] of SPEC_EXAMPLES.entries()) {
  test(`spec example ${i + 1}: ${expected}`, () => {
    assert.equal(encodeCanonicalJson(JSON.parse(input)), expected);
  });
}

function refused(value: unknown, pattern: RegExp, maxDepth?: number): void {
  const result = encodeCanonicalJson(value, maxDepth === undefined ? {} : { maxDepth });
  assert.ok(result instanceof ProbeError, `expected a ProbeError, got ${String(result)}`);
  assert.equal(result.code, 'json.not-canonical');
  assert.match(result.message, pattern);
}

test('integers: the whole range [-(2^53)+1, 2^53-1] and nothing beyond', () => {
  assert.equal(encodeCanonicalJson({ max: 2 ** 53 - 1, min: -(2 ** 53) + 1 }), '{"max":9007199254740991,"min":-9007199254740991}');
  refused({ n: 2 ** 53 }, /\$\.n is 9007199254740992, outside/);
  refused([-(2 ** 53)], /\$\[0\] is -9007199254740992, outside/);
  refused({ n: 1e300 }, /outside/);
});

test('floats, NaN and Infinity are refused, with the path of the first one', () => {
  refused({ a: { b: [1, 2.5] } }, /\$\.a\.b\[1\] is 2\.5, not an integer/);
  refused(Number.NaN, /NaN/);
  refused([Number.POSITIVE_INFINITY], /Infinity/);
  // The text form of a float whose value is an integer is fine: JSON.parse makes it an integer.
  assert.equal(encodeCanonicalJson(JSON.parse('{"a":1.0,"b":2E3}')), '{"a":1,"b":2000}');
});

test('keys sort by code point, not by UTF-16 code unit', () => {
  const emoji = '\u{1F600}'; // U+1F600, UTF-16 D83D DE00
  const replacement = '\uFFFD';
  // By code unit the emoji (0xD83D) comes first; by code point U+FFFD does.
  assert.ok(emoji < replacement);
  assert.ok(compareCodePoints(replacement, emoji) < 0);
  assert.equal(encodeCanonicalJson({ [emoji]: 1, [replacement]: 2, a: 3, '': 4, ab: 5 }), `{"":4,"a":3,"ab":5,"${replacement}":2,"${emoji}":1}`);
  // Two supplementary characters keep their order; a prefix sorts first.
  assert.ok(compareCodePoints('\u{1F600}', '\u{1F601}') < 0);
  assert.ok(compareCodePoints('a', 'a\u{1F600}') < 0);
  assert.equal(compareCodePoints('x', 'x'), 0);
});

test('string escapes follow the grammar: only quote, backslash and controls, hex in lower case', () => {
  // Every ASCII character: controls escaped as the grammar lists, everything else (DEL included) literal.
  const grammar = /^"(?:[\x20\x21\x23-\x5b\x5d-\u{10FFFF}]|\\["\\bfnrt]|\\u000[0-7be-f]|\\u001[0-9a-f])*"$/u;
  for (let c = 0; c < 0x80; c++) {
    const out = encodeCanonicalJson(String.fromCharCode(c));
    assert.equal(typeof out, 'string');
    assert.match(out as string, grammar, `U+${c.toString(16).padStart(4, '0')}`);
  }
  assert.equal(encodeCanonicalJson('\u0000\u0008\u000b\u001f"\\/\u007f'), '"\\u0000\\b\\u000b\\u001f\\"\\\\/\u007f"');
  // Non-ASCII stays literal UTF-8, including the JSON-vs-JavaScript line separators.
  assert.equal(encodeCanonicalJson('é\u2028\u{1F600}'), '"é\u2028\u{1F600}"');
});

test('a lone surrogate has no UTF-8 form: refused in values and in keys', () => {
  refused({ a: 'x\uD800y' }, /\$\.a holds a lone UTF-16 surrogate/);
  refused({ ['\uDC00']: 1 }, /a key under \$ holds a lone UTF-16 surrogate/);
});

test('undefined members are left out as JSON.stringify does; undefined elsewhere is refused', () => {
  assert.equal(encodeCanonicalJson({ a: 1, content: undefined }), '{"a":1}');
  refused([1, undefined], /\$\[1\] is a undefined/);
  // eslint-disable-next-line no-sparse-arrays
  refused([1, , 3], /\$\[1\] is a undefined/);
  refused(undefined, /\$ is a undefined/);
});

test('non-JSON values are refused: Date, Map, class instances, functions, bigint, symbols', () => {
  refused({ when: new Date(0) }, /\$\.when is not a plain object/);
  refused(new Map(), /not a plain object/);
  refused({ f: () => 1 }, /is a function/);
  refused({ n: 1n }, /is a bigint/);
  refused({ s: Symbol('x') }, /is a symbol/);
  assert.equal(encodeCanonicalJson(Object.assign(Object.create(null) as object, { b: 1, a: 2 })), '{"a":2,"b":1}');
});

test('nesting is bounded, so hostile depth and cycles fail instead of overflowing the stack', () => {
  const deep = JSON.parse('['.repeat(10_000) + ']'.repeat(10_000)) as unknown;
  refused(deep, /nested deeper than 64/);
  const cycle: Record<string, unknown> = {};
  cycle['self'] = cycle;
  refused(cycle, /nested deeper than 64/);
  assert.equal(encodeCanonicalJson([[[]]], { maxDepth: 3 }), '[[[]]]');
  refused([[[[]]]], /\$\[0\]\[0\]\[0\] is nested deeper than 3/, 3);
  assert.throws(() => encodeCanonicalJson({}, { maxDepth: 0 }), /maxDepth must be a positive integer, got 0/);
});

test('a "__proto__" member read from JSON is an ordinary key', () => {
  assert.equal(encodeCanonicalJson(JSON.parse('{"__proto__":{"x":1},"a":2}')), '{"__proto__":{"x":1},"a":2}');
});
