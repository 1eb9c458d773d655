import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PROBE_ERROR_CODES, ProbeError } from '../../../../crawler/errors.ts';
import { POLICY_CODES } from '../../../../crawler/policy/politeness.ts';
import { failureClass } from '../../../../jobs/crawl/failure-class.ts';

// status, failure code, expected class
const table: Array<[Parameters<typeof failureClass>[0], Parameters<typeof failureClass>[1], string]> = [
  ['unreachable', 'dns.timeout', 'transient'],
  ['unreachable', 'net.connect-timeout', 'transient'],
  ['unreachable', 'dns.servfail', 'transient'],
  ['error', 'net.reset', 'transient'],
  ['error', 'xmpp.timeout', 'transient'],
  ['unreachable', 'tls.cert-invalid', 'permanent'],
  ['unreachable', 'tls.expired', 'permanent'],
  ['unreachable', 'net.connect-refused', 'permanent'],
  ['unreachable', 'net.forbidden-address', 'permanent'],
  ['unreachable', 'dns.nxdomain', 'permanent'],
  ['not-a-server', 'http.status', 'permanent'],
  // A domain that runs no such service stays so, whatever timed out on the way.
  ['not-a-server', 'net.timeout', 'permanent'],
  ['not-a-server', null, 'permanent'],
  // The server asked us to wait: never sooner.
  ['error', 'policy.rate-limited', 'permanent'],
  ['error', 'internal', 'permanent'],
  ['unreachable', null, 'permanent'],
];

for (const [status, failure, expected] of table) {
  test(`failure class: ${status} ${failure ?? '(no code)'} is ${expected}`, () => {
    assert.equal(failureClass(status, failure), expected);
  });
}

test('every code: transient exactly when its ProbeError is retryable and it is not the server asking us to wait', () => {
  for (const code of PROBE_ERROR_CODES) {
    const e = new ProbeError(code, 'x');
    const expected = e.retryable && !POLICY_CODES.includes(code) ? 'transient' : 'permanent';
    assert.equal(failureClass('unreachable', code), expected, code);
  }
});
