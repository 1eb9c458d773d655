/** The pure parts of the DNS transport: the query we send and the reply check (RFC 5452 §9.1). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import { buildQuery, matchesQuery } from '../../../../crawler/net/dns-transport.ts';

test('the query asks one question with RD and AD set and an EDNS0 OPT record', () => {
  const q = buildQuery('example.test', 'SRV');
  const decoded = dnsPacket.decode(q.bytes);
  assert.equal(decoded.id, q.id);
  assert.equal(decoded.flag_rd, true);
  assert.equal(decoded.flag_ad, true);
  assert.deepEqual(decoded.questions, [{ name: 'example.test', type: 'SRV', class: 'IN' }]);
  assert.equal(decoded.additionals?.[0]?.type, 'OPT');
});

test('query ids vary', () => {
  const ids = new Set(Array.from({ length: 50 }, () => buildQuery('a.test', 'A').id));
  assert.ok(ids.size > 40);
});

const reply = (id: number, name: string, type: 'A' | 'AAAA', qr = true) => dnsPacket.decode(dnsPacket.encode({
  type: qr ? 'response' : 'query', id, flags: qr ? 0x8000 : 0, questions: [{ name, type, class: 'IN' }],
}));

test('matchesQuery accepts only our id, a response, and our exact question', () => {
  const q = buildQuery('Example.test', 'A');
  assert.equal(matchesQuery(reply(q.id, 'example.TEST', 'A'), q.id, q.question), true);
  assert.equal(matchesQuery(reply((q.id + 1) & 0xffff, 'example.test', 'A'), q.id, q.question), false);
  assert.equal(matchesQuery(reply(q.id, 'other.test', 'A'), q.id, q.question), false);
  assert.equal(matchesQuery(reply(q.id, 'example.test', 'AAAA'), q.id, q.question), false);
  assert.equal(matchesQuery(reply(q.id, 'example.test', 'A', false), q.id, q.question), false);
});
