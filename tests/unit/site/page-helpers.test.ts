import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pivot } from '../../../site/lib/pages/load-software-index.ts';
import { versionChanges } from '../../../site/lib/pages/load-server.ts';
import { failureResponse } from '../../../site/lib/pages/page-result.ts';
import type { ServerDay } from '../../../db/queries/servers/get-server-history.ts';

describe('pivot', () => {
  it('orders columns by the overall rows and rows by their totals', () => {
    const m = pivot([
      { software: '', key: 'closed', servers: 5 }, { software: '', key: 'open', servers: 2 },
      { software: 'a', key: 'open', servers: 2 }, { software: 'b', key: 'closed', servers: 5 },
    ]);
    assert.deepEqual(m, { columns: ['closed', 'open'], rows: [{ software: 'b', total: 5, cells: [5, 0] }, { software: 'a', total: 2, cells: [0, 2] }] });
  });
});

describe('versionChanges', () => {
  const d = (day: string, version: string, status = 'ok'): ServerDay => ({ day, protocol: 'matrix', probes: 1, okProbes: 1, status, software: 's', version, registration: 'closed', rooms: 0, members: 0, lastAt: null });
  it('lists upgrades, skipping days the server was down or hid its version', () => {
    assert.deepEqual(versionChanges([d('d1', '1.0'), d('d2', '', 'unreachable'), d('d3', ''), d('d4', '1.1'), d('d5', '1.1')]), [{ day: 'd4', from: '1.0', to: '1.1' }]);
  });
});

describe('failureResponse', () => {
  it('answers 404 and 400 with the bad fields', async () => {
    assert.equal(failureResponse({ kind: 'not-found' }).status, 404);
    const r = failureResponse({ kind: 'bad-request', issues: [{ field: 'page', message: 'expected number' }] });
    assert.equal(r.status, 400);
    assert.match(await r.text(), /page: expected number/);
  });
});
