/** The guide's API answers (site/lib/api/guide-response.ts): each row and the rubric match the schemas the OpenAPI document publishes. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RUBRIC, CRITERIA } from '../../../../guide/rubric.ts';
import { guideApiRow, guideRowSchema, guideRubricBody, guideRubricSchema } from '../../../../site/lib/api/guide-response.ts';
import { entry, facts } from '../../guide/guide-entries.ts';

describe('guide API answers', () => {
  it('a row matches its published schema, unknowns as null, one criterion per applicable rubric entry', () => {
    for (const f of [facts('xmpp'), facts('matrix', { ipv6: null, tlsValid: null, tlsExpiresAt: null })]) {
      const row = guideApiRow(entry(f));
      const parsed = guideRowSchema.safeParse(row);
      assert.ok(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3)));
      assert.equal(row.criteria.length, f.protocol === 'xmpp' ? 6 : 5);
    }
    const m = guideApiRow(entry(facts('matrix', { ipv6: null })));
    assert.equal(m.ipv6, null);
    assert.equal(m.criteria.find((c) => c.id === 'ipv6')!.verdict, 'unknown');
    assert.equal(m.dnssec, null);
  });

  it('the rubric answer is the rubric the code grades with', () => {
    const body = guideRubricBody();
    assert.ok(guideRubricSchema.safeParse(body).success);
    assert.deepEqual(body.thresholds, { ...RUBRIC });
    assert.deepEqual(body.criteria.map((c) => c.id), CRITERIA.map((c) => c.id));
    assert.ok(body.principles.some((p) => /no manual overrides/.test(p)));
  });
});
