/** SCRAM-SHA-1 against the RFC 5802 §5 example, and hostile server-first messages. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeError } from '../../../../crawler/errors.ts';
import { plainMessage, scramClientFinal, scramClientFirst, scramVerifyServer } from '../../../../crawler/protocol/xmpp-sasl-scram.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const text = (s: string): string => Buffer.from(s, 'base64').toString();

test('RFC 5802 §5 example exchange (user "user", password "pencil")', () => {
  const { message, state } = scramClientFirst('user', 'pencil', 'fyko+d2lbbFgONRv9qkxdawL');
  assert.equal(text(message), 'n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL');
  const final = scramClientFinal(state, b64('r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096'));
  assert.equal(text(final as string), 'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=');
  assert.equal(scramVerifyServer(state, b64('v=rmF9pqV8S7suAoZWja4dJRkFsKQ=')), true);
  assert.equal(scramVerifyServer(state, b64('v=AAAApqV8S7suAoZWja4dJRkFsKQ=')), false);
});

test('a server nonce that does not extend ours, or an absurd iteration count, is refused', () => {
  const { state } = scramClientFirst('user', 'pencil', 'abc');
  assert.equal((scramClientFinal(state, b64('r=xyz123,s=QSXCR+Q6sek8bf92,i=4096')) as ProbeError).code, 'xmpp.auth-failed');
  const { state: s2 } = scramClientFirst('user', 'pencil', 'abc');
  assert.equal((scramClientFinal(s2, b64('r=abcdef,s=QSXCR+Q6sek8bf92,i=999999999')) as ProbeError).code, 'xmpp.auth-failed');
});

test('names with "," and "=" are escaped; PLAIN message layout', () => {
  assert.equal(text(scramClientFirst('a,b=c', 'p', 'n').message), 'n,,n=a=2Cb=3Dc,r=n');
  assert.equal(text(plainMessage('u', 'p')), '\0u\0p');
});
