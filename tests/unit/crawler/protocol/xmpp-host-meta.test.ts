/**
 * XEP-0156 host-meta (XRD and JRD, with XEP-0487 fields) and the XMPP
 * Providers provider file. Inputs are the specs' own examples.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeError } from '../../../../crawler/errors.ts';
import { parseHostMetaJson, parseHostMetaXml } from '../../../../crawler/protocol/xep0156-host-meta.ts';
import { parseProviderFile } from '../../../../crawler/protocol/xmpp-provider-file.ts';

test('host-meta XRD (XEP-0156 example 1): BOSH and WebSocket links', () => {
  const r = parseHostMetaXml(`<?xml version='1.0' encoding='utf-8'?>
<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>
  <Link rel="urn:xmpp:alt-connections:xbosh" href="https://web.example.com:5280/bosh" />
  <Link rel="urn:xmpp:alt-connections:websocket" href="wss://web.example.com:443/ws" />
  <Link rel="lrdd" href="https://example.com/lrdd?uri={uri}" />
</XRD>`);
  assert.ok(!(r instanceof ProbeError));
  assert.deepEqual(r.links.map((l) => [l.method, l.href]), [['xbosh', 'https://web.example.com:5280/bosh'], ['websocket', 'wss://web.example.com:443/ws']]);
});

test('host-meta XRD with a DTD is refused', () => {
  const r = parseHostMetaXml(`<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>&e;</XRD>`);
  assert.ok(r instanceof ProbeError);
  assert.equal(r.code, 'xml.restricted');
});

test('host-meta.json with XEP-0487 fields; a bad link does not void the others', () => {
  const r = parseHostMetaJson(JSON.stringify({
    xmpp: { ttl: 3000, 'public-key-pins-sha-256': ['4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ='] },
    links: [
      { rel: 'urn:xmpp:alt-connections:websocket', href: 'wss://example.org/xmpp-websocket', ips: ['1.2.3.4'], priority: 15, weight: 50, sni: 'example.org' },
      { rel: 'urn:xmpp:alt-connections:s2s-tls', sni: 'example.org', ips: ['1.2.3.4'], port: 443, priority: 'high' },
      { rel: 42 },
      { rel: 'lrdd', href: 'x' },
    ],
  }));
  assert.ok(!(r instanceof ProbeError));
  assert.deepEqual(r.xmpp, { ttl: 3000, pins: ['4/mggdlVx8A3pvHAWW5sD+qJyMtUHgiRuPjVC48N0XQ='] });
  assert.equal(r.links.length, 2);
  assert.deepEqual(r.links[1], { method: 's2s-tls', href: '', ips: ['1.2.3.4'], sni: 'example.org', port: 443, priority: null, weight: null });
});

test('host-meta.json that is not JSON / not an object', () => {
  assert.equal((parseHostMetaJson('<html>') as ProbeError).code, 'json.invalid');
  assert.equal((parseHostMetaJson('{"links": 5}') as ProbeError).code, 'json.schema');
});

test('provider file v2: serverTesting consent, bad fields reported not fatal', () => {
  const r = parseProviderFile(JSON.stringify({
    website: { en: 'https://example.org' }, alternativeJids: ['example.net'], busFactor: 2, organization: 'non-profit',
    serverTesting: false, maximumHttpFileUploadFileSize: 'big', serverLocations: ['de'], since: '2020-01-01',
  }));
  assert.ok(!(r instanceof ProbeError));
  assert.equal(r.serverTesting, false);
  assert.deepEqual(r.invalid, ['maximumHttpFileUploadFileSize']);
  assert.deepEqual(r.file.alternativeJids, ['example.net']);
  const silent = parseProviderFile('{}');
  assert.ok(!(silent instanceof ProbeError));
  assert.equal(silent.serverTesting, null);
  assert.equal((parseProviderFile('[1]') as ProbeError).code, 'json.schema');
});
