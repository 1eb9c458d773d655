/** XMPP endpoint selection (RFC 6120 §3.2, XEP-0368, RFC 2782) and the frontier. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { xmppEndpoints, xmppSrvNames } from '../../../../crawler/discover/xmpp-srv.ts';
import { jidDomain, xmppDiscoveries } from '../../../../crawler/discover/xmpp-frontier.ts';

const srv = (target: string, port: number, priority = 0, weight = 0) => ({ target, port, priority, weight });

test('owner names of the four services', () => {
  assert.deepEqual(xmppSrvNames('example.org.'), {
    'xmpp-client': '_xmpp-client._tcp.example.org', 'xmpps-client': '_xmpps-client._tcp.example.org',
    'xmpp-server': '_xmpp-server._tcp.example.org', 'xmpps-server': '_xmpps-server._tcp.example.org',
  });
});

test('no SRV: A/AAAA fallback on the default port', () => {
  assert.deepEqual(xmppEndpoints('example.org', 'c2s', [], []).endpoints, [{ host: 'example.org', port: 5222, directTls: false, source: 'fallback', priority: 0 }]);
  assert.equal(xmppEndpoints('example.org', 's2s', [], []).endpoints[0]?.port, 5269);
});

test('"." on the STARTTLS service: not offered, no fallback', () => {
  const r = xmppEndpoints('example.org', 'c2s', [srv('.', 0)], []);
  assert.deepEqual([r.notOffered, r.endpoints], [true, []]);
});

test('"." on the direct-TLS service alone still allows the fallback', () => {
  const r = xmppEndpoints('example.org', 'c2s', [], [srv('.', 0)]);
  assert.equal(r.notOffered, false);
  assert.equal(r.endpoints[0]?.source, 'fallback');
});

test('merged by priority; direct TLS first on a tie (XEP-0368)', () => {
  const r = xmppEndpoints('example.org', 'c2s', [srv('a.example.org', 5222, 10), srv('b.example.org', 5222, 5)], [srv('tls.example.org', 443, 5)], () => 0);
  assert.deepEqual(r.endpoints.map((e) => [e.host, e.port, e.directTls]), [['tls.example.org', 443, true], ['b.example.org', 5222, false], ['a.example.org', 5222, false]]);
});

test('JID domains', () => {
  assert.equal(jidDomain('room@Conference.Example.org/nick'), 'conference.example.org');
  assert.equal(jidDomain('example.org'), 'example.org');
  assert.equal(jidDomain('not a domain'), '');
  assert.equal(jidDomain('localhost'), '');
});

test('frontier: service items, room domains, xmpp contacts; not the domain itself or its own components, not nodes, not mail', () => {
  const at = new Date('2026-01-01T00:00:00Z');
  const d = xmppDiscoveries({
    domain: 'example.org', foundAt: at,
    items: [{ jid: 'muc.example.org', node: '' }, { jid: 'pubsub.example.org', node: 'news' }, { jid: 'bot@example.org', node: '' }, { jid: 'example.org', node: '' }, { jid: 'chat.partner.net', node: '' }],
    rooms: ['a@muc.example.org', 'b@rooms.other.net', 'c@conference.sub.example.org'],
    contacts: ['xmpp:admin@partner.org', 'mailto:abuse@mail.example.com'],
  });
  assert.deepEqual(d.map((x) => [x.domain, x.via]), [['chat.partner.net', 'disco-item'], ['rooms.other.net', 'muc'], ['partner.org', 'contact']]);
  assert.ok(d.every((x) => x.sourceDomain === 'example.org' && x.protocol === 'xmpp' && x.foundAt === at));
});
