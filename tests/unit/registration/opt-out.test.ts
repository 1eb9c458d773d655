import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkOptOut, optOutTxtName, robotsOptsOut } from '../../../registration/opt-out.ts';

test('a chatlas=opt-out TXT record opts the domain out', () => {
  assert.equal(optOutTxtName('a.test'), '_chatlas.a.test');
  assert.deepEqual(checkOptOut({ txt: ['other', 'Chatlas=Opt-Out'], robotsTxt: null }), { optedOut: true, source: 'dns-txt' });
  assert.deepEqual(checkOptOut({ txt: ['chatlas=opt-in'], robotsTxt: null }), { optedOut: false, source: null });
  assert.deepEqual(checkOptOut({ txt: null, robotsTxt: null }), { optedOut: false, source: null });
});

const cases: Array<[string, string, boolean]> = [
  ['Chatlas group disallows /', 'User-agent: Chatlas\nDisallow: /\n', true],
  ['case-insensitive token with version', 'user-agent: chatlas/0.1\ndisallow: /', true],
  ['grouped with another agent', 'User-agent: foo\nUser-agent: Chatlas\nDisallow: /', true],
  ['CRLF and comments', '# hi\r\nUser-agent: Chatlas # us\r\nDisallow: / # all\r\n', true],
  ['a path only', 'User-agent: Chatlas\nDisallow: /private', false],
  ['Allow / wins the tie', 'User-agent: Chatlas\nDisallow: /\nAllow: /', false],
  ['star group is not an opt-out of the observatory', 'User-agent: *\nDisallow: /', false],
  ['another bot', 'User-agent: Chatlasbot\nDisallow: /', false],
  ['rule after the group ended', 'User-agent: Chatlas\nDisallow: /x\nUser-agent: other\nDisallow: /', false],
  ['empty', '', false],
];
for (const [name, robots, expected] of cases) {
  test(`robots.txt: ${name}`, () => {
    assert.equal(robotsOptsOut(robots), expected);
    assert.equal(checkOptOut({ txt: [], robotsTxt: robots }).optedOut, expected);
  });
}
