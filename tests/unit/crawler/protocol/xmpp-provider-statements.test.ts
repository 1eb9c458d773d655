/**
 * providerStatements (crawler/protocol/xmpp-provider-file.ts): a parsed provider file to
 * the statements the guide shows (crawler/offer.ts), and what the stored column reads back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeError } from '../../../../crawler/errors.ts';
import { parseProviderFile, providerStatements } from '../../../../crawler/protocol/xmpp-provider-file.ts';
import { parseServerOffer, serializeServerOffer } from '../../../../crawler/types.ts';

const statementsOf = (doc: unknown) => {
  const r = parseProviderFile(JSON.stringify(doc));
  assert.ok(!(r instanceof ProbeError));
  return providerStatements(r.file);
};

/**
 * The shape ejabberd 25.08's mod_providers serves (src/mod_providers.erl `file_json`: every v2 property,
 * localised URLs for each configured language, its defaults where not configured).
 */
const EJABBERD_V2 = {
  website: { de: 'https://example.org/de/', en: 'https://example.org/en/' },
  alternativeJids: [], busFactor: -1, organization: 'non-governmental', passwordReset: {}, serverTesting: true,
  maximumHttpFileUploadTotalSize: 0, maximumHttpFileUploadStorageTime: 0, maximumMessageArchiveManagementStorageTime: 0,
  professionalHosting: true, freeOfCharge: true, legalNotice: { de: 'https://example.org/de/legal', en: 'https://example.org/en/legal' },
  serverLocations: ['DE', 'fr'], since: '2017-03-01',
};

test('a v2 provider file as ejabberd serves it: English URLs, -1 bus factor as n/a, locations lower-cased', () => {
  assert.deepEqual(statementsOf(EJABBERD_V2), {
    legalNotice: 'https://example.org/en/legal', website: 'https://example.org/en/', organization: 'non-governmental',
    freeOfCharge: true, professionalHosting: true, since: '2017-03-01', serverLocations: ['de', 'fr'], busFactor: null,
    // Not v2 properties: not stated.
    inBandRegistration: null, registrationWebPage: null,
    // `passwordReset: {}`: no page in any language.
    passwordReset: null, maxUploadBytes: null,
  });
});

test('a localised field without English takes the first language given', () => {
  assert.equal(statementsOf({ legalNotice: { fr: 'https://exemple.fr/mentions', de: 'https://beispiel.de/impressum' } }).legalNotice, 'https://exemple.fr/mentions');
});

test('the per-file upload size, where a file states it, is in MB (10^6 bytes): 0 is no limit (-1), -1 "less than 1 MB" is no usable bound', () => {
  assert.equal(statementsOf({ maximumHttpFileUploadFileSize: 100 }).maxUploadBytes, 100_000_000);
  assert.equal(statementsOf({ maximumHttpFileUploadFileSize: 0 }).maxUploadBytes, -1);
  assert.equal(statementsOf({ maximumHttpFileUploadFileSize: -1 }).maxUploadBytes, null);
  assert.equal(statementsOf({ maximumHttpFileUploadFileSize: 9e15 }).maxUploadBytes, null, 'beyond exact integers');
  // The total per user is another property, never read as the per-file limit.
  assert.equal(statementsOf({ maximumHttpFileUploadTotalSize: 1000 }).maxUploadBytes, null);
});

test('hostile statements: only http(s) URLs become links, odd dates and empty organisations are not stated', () => {
  const s = statementsOf({
    legalNotice: { en: 'javascript:alert(1)' }, website: { en: 'data:text/html,<script>alert(2)</script>' },
    passwordReset: { en: 'not a url' }, registrationWebPage: { en: `https://example.org/${'a'.repeat(1990)}` },
    since: 'forever', organization: '', busFactor: 3,
  });
  assert.deepEqual([s.legalNotice, s.website, s.passwordReset, s.since, s.organization, s.busFactor], [null, null, null, null, null, 3]);
  assert.equal(s.registrationWebPage, null, 'a 2010-character URL is over the stored bound of 2000: dropped, never cut');
});

test('the statements survive the stored column: what the probe writes, parseServerOffer reads back whole', () => {
  const provider = statementsOf({ ...EJABBERD_V2, maximumHttpFileUploadFileSize: 50, organization: 'x'.repeat(64) });
  const stored = serializeServerOffer({ provider, support: null, contacts: { admin: ['xmpp:admin@example.org'] } });
  assert.deepEqual(parseServerOffer(stored), { provider, support: null, contacts: { admin: ['xmpp:admin@example.org'] } });
});
