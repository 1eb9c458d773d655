/**
 * robots.txt per RFC 9309: the RFC's own examples (§5.1, §5.2), matching
 * rules, the fetch-status table (§2.3.1), the parse limit (§2.5).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isAllowed, normalisePath, parseRobots, patternMatches, robotsPolicyFromFetch, ROBOTS_MAX_BYTES,
} from '../../../../crawler/policy/robots.ts';

// RFC 9309 §5.1, verbatim.
const RFC_5_1 = `User-Agent: *
Disallow: *.gif$
Disallow: /example/
Allow: /publications/

User-Agent: foobot
Disallow:/
Allow:/example/page.html
Allow:/example/allowed.gif

User-Agent: barbot
User-Agent: bazbot
Disallow: /example/page.html

User-Agent: quxbot

EOF`;

const cases51: Array<[string, string, boolean]> = [
  ['foobot', '/example/page.html', true],
  ['foobot', '/example/allowed.gif', true],
  ['foobot', '/', false],
  ['foobot', '/other', false],
  ['barbot', '/example/page.html', false],
  ['bazbot', '/example/page.html', false],
  ['barbot', '/example/other.gif', true], // the * group does not apply to barbot
  ['quxbot', '/example/page.html', true], // an empty group allows everything
  ['otherbot', '/example/page.html', false],
  ['otherbot', '/image.gif', false],
  ['otherbot', '/image.gif?x', true], // $ anchors the end
  ['otherbot', '/publications/x', true],
  ['FooBot', '/example/page.html', true], // product token is case-insensitive
];
for (const [token, path, allowed] of cases51) {
  test(`RFC 9309 §5.1: ${token} ${path} -> ${allowed ? 'allowed' : 'disallowed'}`, () => {
    assert.equal(isAllowed(parseRobots(RFC_5_1, token), path), allowed);
  });
}

test('RFC 9309 §5.2: the longest match wins', () => {
  const p = parseRobots('User-Agent: foobot\nAllow: /example/page/\nDisallow: /example/page/disallowed.gif\n', 'foobot');
  assert.equal(isAllowed(p, '/example/page/'), true);
  assert.equal(isAllowed(p, '/example/page/disallowed.gif'), false);
});

test('on equal length, allow wins (least restrictive)', () => {
  const p = parseRobots('User-agent: *\nDisallow: /page\nAllow: /page\n');
  assert.equal(isAllowed(p, '/page'), true);
});

test('our token Chatlas: groups naming us are merged and replace the * group', () => {
  const p = parseRobots('User-agent: *\nDisallow: /\n\nUser-agent: chatlas/2.0\nDisallow: /a\n\nUser-agent: Chatlas\nDisallow: /b\nCrawl-delay: 3\n');
  assert.equal(isAllowed(p, '/a/x'), false);
  assert.equal(isAllowed(p, '/b'), false);
  assert.equal(isAllowed(p, '/_matrix/federation/v1/version'), true);
  assert.equal(p.crawlDelaySeconds, 3);
});

test('comments, CRLF, odd spacing and unknown keys are tolerated', () => {
  const p = parseRobots('# hi\r\nUSER-AGENT :  *  # all\r\nSitemap: https://x/s.xml\r\nDISALLOW: /private # no\r\nfoo: bar\r\n');
  assert.equal(isAllowed(p, '/private/1'), false);
  assert.equal(isAllowed(p, '/public'), true);
});

test('rules before any user-agent and an empty disallow are ignored', () => {
  const p = parseRobots('Disallow: /\nUser-agent: *\nDisallow:\n');
  assert.equal(isAllowed(p, '/anything'), true);
});

test('/robots.txt is always allowed', () => {
  assert.equal(isAllowed(parseRobots('User-agent: *\nDisallow: /\n'), '/robots.txt'), true);
  assert.equal(isAllowed(robotsPolicyFromFetch({ status: 503, bodyText: '' }), '/robots.txt'), true);
});

test('percent-encoding compares equal whichever form is used', () => {
  assert.equal(normalisePath('/%7efoo/%2f/ä'), '/~foo/%2F/%C3%A4');
  const p = parseRobots('User-agent: *\nDisallow: /~joe/\nDisallow: /caf%C3%A9\n');
  assert.equal(isAllowed(p, '/%7Ejoe/index.html'), false);
  assert.equal(isAllowed(p, '/café'), false);
});

test('wildcards', () => {
  assert.equal(patternMatches('/*/private', '/a/b/private/x'), true);
  assert.equal(patternMatches('/*.php$', '/x/index.php'), true);
  assert.equal(patternMatches('/*.php$', '/x/index.php?y'), false);
  assert.equal(patternMatches('/a*b*c$', '/a-c-b'), false);
  assert.equal(patternMatches('/a*b*c$', '/axxbyyc'), true);
  assert.equal(patternMatches('*', '/'), true);
  assert.equal(patternMatches('/$', '/'), true);
  assert.equal(patternMatches('/$', '/x'), false);
});

const statusTable: Array<[number, 'allow-all' | 'disallow-all' | 'rules']> = [
  [200, 'rules'], [204, 'rules'], [400, 'allow-all'], [401, 'allow-all'], [403, 'allow-all'], [404, 'allow-all'], [410, 'allow-all'],
  [429, 'disallow-all'], [500, 'disallow-all'], [502, 'disallow-all'], [503, 'disallow-all'],
];
for (const [status, kind] of statusTable) {
  test(`fetch status ${status} -> ${kind} (RFC 9309 §2.3.1)`, () => {
    const p = robotsPolicyFromFetch({ status, bodyText: 'User-agent: *\nDisallow: /x\n' });
    assert.equal(p.kind, kind);
    assert.equal(isAllowed(p, '/y'), kind !== 'disallow-all');
  });
}

test('unreachable -> disallow all; too many redirects -> allow all', () => {
  assert.equal(isAllowed(robotsPolicyFromFetch({ error: 'net.connect-refused' }), '/'), false);
  assert.equal(isAllowed(robotsPolicyFromFetch({ error: 'http.redirect-limit', redirectLimit: true }), '/'), true);
});

test('only the first 500 KiB are parsed', () => {
  const filler = `# ${'x'.repeat(1000)}\n`.repeat(Math.ceil(ROBOTS_MAX_BYTES / 1003));
  const p = parseRobots(`User-agent: *\nDisallow: /early\n${filler}Disallow: /late\n`);
  assert.equal(isAllowed(p, '/early'), false);
  assert.equal(isAllowed(p, '/late'), true);
});

test('a pathological pattern is matched in linear time (no backtracking blow-up)', () => {
  const p = parseRobots(`User-agent: *\nDisallow: /${'*a'.repeat(2000)}$\n`);
  assert.equal(isAllowed(p, `/${'a'.repeat(20000)}b`), true);
});
