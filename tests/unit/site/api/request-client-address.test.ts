/** Which client address a page or route sees (site/lib/api/request-client-address.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT_ADDRESS_LOCAL, requestClientAddress } from '../../../../site/lib/api/request-client-address.ts';

test('the address jobs/serve/server.ts resolved wins over Astro\'s', () => {
  assert.equal(requestClientAddress({ locals: { [CLIENT_ADDRESS_LOCAL]: '198.51.100.7' }, clientAddress: '127.60.1.5' }), '198.51.100.7');
});

test('without it, Astro\'s clientAddress; a throwing getter is no address', () => {
  assert.equal(requestClientAddress({ locals: {}, clientAddress: '127.60.1.5' }), '127.60.1.5');
  assert.equal(requestClientAddress({ clientAddress: '127.60.1.5' }), '127.60.1.5');
  const astro = { locals: {}, get clientAddress(): string { throw new Error('adapter cannot tell'); } };
  assert.equal(requestClientAddress(astro), undefined);
});
