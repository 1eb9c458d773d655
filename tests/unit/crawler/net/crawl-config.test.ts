/** crawler/config.ts: the field table, parsing of lists, bad values quoted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crawlConfigTable, loadCrawlConfig, parseResolver } from '../../../../crawler/config.ts';
import { describeConfig } from '../../../../lib/config-table.ts';

test('defaults', () => {
  const c = loadCrawlConfig();
  assert.deepEqual(c.dns, []);
  assert.deepEqual(c.allowNets, []);
  assert.equal(c.maxBodyBytes, 1024 * 1024);
  assert.equal(c.maxRedirects, 5);
  assert.match(c.userAgent, /^Chatlas\/\S+ \(\+https:\/\/github\.com\/chatlas\/chatlas; crawler\)$/);
});

test('resolver, CIDR and number lists parse; flags beat the environment', () => {
  const c = loadCrawlConfig({
    env: { CHATLAS_DNS: '127.0.0.1:5353, 127.0.0.2:53', CHATLAS_ALLOW_NETS: '127.0.0.0/8', CHATLAS_DENY_NETS: '127.66.0.0/16,fc00::/7', CHATLAS_MAX_BODY_BYTES: '2048' },
    flags: { dns: '[::1]:5300,127.0.0.9' },
  });
  assert.deepEqual(c.dns, [{ host: '::1', port: 5300 }, { host: '127.0.0.9', port: 53 }]);
  assert.deepEqual(c.allowNets, ['127.0.0.0/8']);
  assert.deepEqual(c.denyNets, ['127.66.0.0/16', 'fc00::/7']);
  assert.equal(c.maxBodyBytes, 2048);
});

test('bad values are refused, quoting them', () => {
  assert.throws(() => loadCrawlConfig({ env: { CHATLAS_DNS: 'resolver.example:53' } }), /CHATLAS_DNS=.*resolver\.example:53/);
  assert.throws(() => loadCrawlConfig({ env: { CHATLAS_ALLOW_NETS: '127.0.0.0/33' } }), /127\.0\.0\.0\/33/);
  assert.throws(() => loadCrawlConfig({ env: { CHATLAS_MAX_REDIRECTS: 'many' } }), /CHATLAS_MAX_REDIRECTS="many"/);
  assert.throws(() => loadCrawlConfig({ env: { CHATLAS_PER_HOST_CONCURRENCY: '3' } }), /CHATLAS_PER_HOST_CONCURRENCY="3"/);
  assert.throws(() => loadCrawlConfig({ env: { CHATLAS_XMPP_JID: 'not a jid' } }), /CHATLAS_XMPP_JID/);
});

test('the XMPP password is secret and needed with a JID', () => {
  assert.throws(() => loadCrawlConfig({ env: { CHATLAS_XMPP_JID: 'observer@example.test' } }), /CHATLAS_XMPP_PASSWORD/);
  const c = loadCrawlConfig({ env: { CHATLAS_XMPP_JID: 'observer@example.test', CHATLAS_XMPP_PASSWORD: 'pw' } });
  assert.equal(c.xmppPassword, 'pw');
  const row = describeConfig(crawlConfigTable).find((r) => r.key === 'xmppPassword');
  assert.equal(row?.default, '');
});

test('extraCaPems is programmatic only (no variable, no flag)', () => {
  assert.equal('env' in crawlConfigTable.extraCaPems, false);
  assert.deepEqual(loadCrawlConfig({}, { extraCaPems: ['PEM'] }).extraCaPems, ['PEM']);
});

test('parseResolver', () => {
  assert.deepEqual(parseResolver('127.0.0.1:5353'), { host: '127.0.0.1', port: 5353 });
  assert.deepEqual(parseResolver('::1'), { host: '::1', port: 53 });
  assert.equal(parseResolver('127.0.0.1:0'), null);
  assert.equal(parseResolver('127.0.0.1:70000'), null);
  assert.equal(parseResolver('localhost:53'), null);
  assert.equal(parseResolver('0x7f.1:53'), null);
});
