/**
 * The one fixture runner (STYLE.md rule 3): every
 * `tests/fixtures/<spec>/<name>.input.<ext>` with its `<name>.expected.json`
 * goes through the parser registered for `<spec>` in `parsers.ts`.
 * It FAILS (never skips) on an input without expected output, an expected
 * file without input, invalid expected JSON, a folder without SOURCE.md, or
 * a spec folder without a parser. Folders for other tiers (e.g. `hostile/`)
 * are listed in NOT_PARSER_FOLDERS (`probe-results/`: whole probe results for the health report tests).
 *
 * Regenerate one expected file after checking the parser by hand:
 *   CHATLAS_FIXTURE_WRITE=<spec>/<name> node --test tests/unit/crawler/protocol/fixtures.test.ts
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProbeError } from '../../../../crawler/errors.ts';
import { PARSERS } from './parsers.ts';

const ROOT = new URL('../../../fixtures/', import.meta.url).pathname;
/** Fixture folders that hold material for other tests, not parser pairs. */
const NOT_PARSER_FOLDERS = new Set(['hostile', 'probe-results']);
// Test-tooling switch, not crawler configuration (hence read here).
const WRITE = process.env['CHATLAS_FIXTURE_WRITE'] ?? '';

/** JSON view of a parser result: ProbeErrors become `{ error: code }`, Dates ISO strings. */
function normalise(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (v instanceof ProbeError ? { error: v.code } : v)));
}

const specs = existsSync(ROOT) ? readdirSync(ROOT).filter((d) => statSync(join(ROOT, d)).isDirectory() && !NOT_PARSER_FOLDERS.has(d)).sort() : [];

test('fixture folders exist', () => {
  assert.ok(specs.length > 0, `no fixture folders under ${ROOT}`);
});

for (const spec of specs) {
  const dir = join(ROOT, spec);
  const files = readdirSync(dir).sort();
  test(`${spec}: folder is well formed`, () => {
    assert.ok(PARSERS[spec], `no parser registered for fixture folder ${spec} in tests/unit/crawler/protocol/parsers.ts`);
    assert.ok(files.includes('SOURCE.md'), `${spec}/SOURCE.md is missing (where each fixture came from)`);
    const stray = files.filter((f) => f !== 'SOURCE.md' && !/\.input\.[a-z0-9]+$/.test(f) && !f.endsWith('.expected.json'));
    assert.deepEqual(stray, [], `${spec}: files that are neither <name>.input.* nor <name>.expected.json`);
    for (const f of files.filter((x) => x.endsWith('.expected.json'))) {
      const name = f.slice(0, -'.expected.json'.length);
      assert.ok(files.some((x) => x.startsWith(`${name}.input.`)), `${spec}/${f} has no ${name}.input.* beside it`);
    }
  });
  for (const input of files.filter((f) => /\.input\.[a-z0-9]+$/.test(f))) {
    const name = input.replace(/\.input\.[a-z0-9]+$/, '');
    test(`${spec}/${name}`, () => {
      const parser = PARSERS[spec];
      assert.ok(parser, `no parser registered for ${spec}`);
      const expectedPath = join(dir, `${name}.expected.json`);
      const actual = normalise(parser(readFileSync(join(dir, input), 'utf8')));
      if (WRITE === `${spec}/${name}`) writeFileSync(expectedPath, `${JSON.stringify(actual, null, 2)}\n`);
      assert.ok(existsSync(expectedPath), `${spec}/${input} has no ${name}.expected.json`);
      let expected: unknown;
      try {
        expected = JSON.parse(readFileSync(expectedPath, 'utf8'));
      } catch (error) {
        assert.fail(`${spec}/${name}.expected.json is not valid JSON: ${(error as Error).message}`);
      }
      assert.deepEqual(actual, expected);
    });
  }
}
