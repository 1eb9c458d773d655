/**
 * The health report model over recorded probe results of the real Prosody,
 * ejabberd and Synapse (tests/fixtures/probe-results, see its SOURCE.md),
 * both as the crawler writes them now and as it wrote them before the outcome
 * union (legacy-outcomes/, read through parseOutcome like old store rows).
 * Expectations are taken from the recordings themselves (the crawler's own
 * sentences, the steps that failed), never typed in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probeHealthReport } from '../../../../crawler/health/probe-health-report.ts';
import { LEVEL_RANK, type Finding } from '../../../../crawler/health/health-report.ts';
import { explainCode } from '../../../../crawler/health/code-help.ts';
import { isFailureOutcome, type ProbeResult } from '../../../../crawler/types.ts';
import { LEGACY_DIR, loadProbeFixture, probeFixtureNames, PROBE_RESULTS_DIR } from '../../../harness/probe-fixtures.ts';

const sets = [['current', PROBE_RESULTS_DIR], ['legacy', LEGACY_DIR]] as const;
const show = (f: Finding[]): string => f.map((x) => `${x.level} ${x.title} [${x.steps.join(', ')}]`).join('\n');
const failedSteps = (r: ProbeResult, code?: string): string[] =>
  [...new Set(r.observations.filter((o) => isFailureOutcome(o.outcome) && (code === undefined || o.outcome === code)).map((o) => o.step))];

test('the fixture folders hold the recorded cases', () => {
  const names = probeFixtureNames();
  for (const impl of ['prosody', 'ejabberd', 'synapse']) assert.ok(names.some((n) => n.startsWith(`${impl}-`) && n.endsWith('-healthy')), `no healthy ${impl} recording`);
  assert.ok(names.some((n) => n.endsWith('-forbidden-federation-target')));
  assert.deepEqual(probeFixtureNames(LEGACY_DIR).filter((n) => !names.includes(n)), [], 'every legacy case has a current recording');
});

for (const [set, dir] of sets) {
  for (const name of probeFixtureNames(dir)) {
    const result = loadProbeFixture(name, dir);
    const findings = probeHealthReport(result);

    test(`${set}/${name}: every failed step is in a finding, every crawler item is said, errors first`, () => {
      const covered = new Set(findings.flatMap((f) => f.steps));
      for (const step of failedSteps(result)) assert.ok(covered.has(step), `failed step ${step} is in no finding:\n${show(findings)}`);
      const said = findings.map((f) => `${f.title} ${f.detail}`).join('\n');
      for (const item of result.snapshot.report) assert.ok(said.includes(item.message), `the crawler's "${item.message}" is not said`);
      const ranks = findings.map((f) => LEVEL_RANK[f.level]);
      assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b));
      // One cause, one finding: no step is listed by two findings.
      const steps = findings.flatMap((f) => f.steps);
      assert.equal(new Set(steps).size, steps.length, show(findings));
    });

    if (name.endsWith('-healthy')) {
      test(`${set}/${name}: a healthy real server shows no error`, () => {
        assert.equal(result.snapshot.status, 'ok');
        assert.deepEqual(findings.filter((f) => f.level === 'error'), [], show(findings));
      });
    }
  }
}

test('legacy rows give the same report as the crawler writes now', () => {
  for (const name of probeFixtureNames(LEGACY_DIR)) {
    const titles = (r: ProbeResult) => probeHealthReport(r).map((f) => `${f.level} ${f.title} [${f.steps.join(', ')}]`);
    assert.deepEqual(titles(loadProbeFixture(name, LEGACY_DIR)), titles(loadProbeFixture(name)), name);
  }
});

for (const [set, dir] of sets) {
  test(`${set}: a federation target on a forbidden address leads with the crawler's sentence and fix, one finding for its steps`, () => {
    const name = probeFixtureNames(dir).find((n) => n.endsWith('-forbidden-federation-target'))!;
    const result = loadProbeFixture(name, dir);
    const findings = probeHealthReport(result);
    const item = result.snapshot.report.find((r) => r.level === 'error' && r.step === 'tls.federation');
    assert.ok(item, 'the crawler wrote its sentence about the target');
    const first = findings[0]!;
    assert.deepEqual([first.level, first.title, first.fix], ['error', item.message, item.fix]);
    const broken = failedSteps(result, 'net.forbidden-address');
    assert.ok(broken.length >= 2, `steps refused by the guard: ${broken.join(', ')}`);
    assert.deepEqual([...first.steps].sort(), [...new Set([item.step, ...broken])].sort());
    assert.equal(findings.filter((f) => f.level === 'error').length, 1, show(findings));
  });
}

test('a stopped server: one finding per cause, listing every step it broke, the crawler\'s words first', () => {
  for (const name of probeFixtureNames().filter((n) => n.endsWith('-down'))) {
    const result = loadProbeFixture(name);
    const findings = probeHealthReport(result);
    assert.equal(findings[0]!.title, `Not reachable at the latest probe (${result.snapshot.status})`);
    const refused = failedSteps(result, 'net.connect-refused');
    assert.ok(refused.length >= 2, name);
    const holding = findings.filter((f) => refused.some((s) => f.steps.includes(s)));
    assert.equal(holding.length, 1, `${name}: the closed ports are one finding:\n${show(findings)}`);
    assert.equal(holding[0]!.level, 'error');
    for (const s of refused) assert.ok(holding[0]!.steps.includes(s), `${name}: ${s}`);
    // Where the crawler wrote an error about one of those steps, its sentence is the finding's title.
    const own = result.snapshot.report.find((r) => r.level === 'error' && refused.includes(r.step));
    assert.equal(holding[0]!.title, own?.message ?? explainCode('net.connect-refused').what);
  }
});

test('a code without its own words falls back to its family, then to a sentence naming it', () => {
  assert.equal(explainCode('dns.refused').what, explainCode('dns.malformed').what);
  assert.match(explainCode('internal').what, /internal/);
});
