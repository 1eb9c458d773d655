/**
 * One client SecureContext per configuration (crawler/net/http-agent.ts
 * clientSecureContext): with extra CAs every TLS connection of a config
 * shares it instead of parsing all roots again; without, Node's default
 * context is used (undefined). Chain checks with the shared context run in
 * tests/integration/crawler/net/http.test.ts (inspectTls, fetchBounded).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { caList, clientSecureContext } from '../../../../crawler/net/tls-trust.ts';
import { tlsClientOptions } from '../../../../crawler/net/tls-inspect.ts';

// Any PEM works for building a context; take a real root from Node's bundle.
const extra = tls.rootCertificates[0] as string;

test('no extra CAs: Node default context, nothing shared', () => {
  const config = { extraCaPems: [] };
  assert.equal(caList(config), undefined);
  assert.equal(clientSecureContext(config), undefined);
  const opts = tlsClientOptions(config);
  assert.equal(opts.secureContext, undefined);
  assert.equal(opts.rejectUnauthorized, false);
  assert.equal(opts.minVersion, 'TLSv1.2');
});

test('extra CAs: one context per configuration object, passed by tlsClientOptions', () => {
  const config = { extraCaPems: [extra] };
  const first = clientSecureContext(config);
  assert.ok(first !== undefined && 'context' in first);
  assert.equal(clientSecureContext(config), first);
  assert.equal(tlsClientOptions(config).secureContext, first);
  assert.equal(tlsClientOptions(config).secureContext, tlsClientOptions(config).secureContext);
  // Another configuration (other CAs possibly) gets its own.
  const other = { extraCaPems: [extra] };
  assert.notEqual(clientSecureContext(other), first);
  assert.equal(caList(config)?.at(-1), extra);
});
