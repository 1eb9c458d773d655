import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeXml, renderBadge } from '../../../../site/lib/api/badge-svg.ts';

test('badge text is escaped and cut', () => {
  const svg = renderBadge('<x>&"', `a'${'b'.repeat(200)}`, 'ok');
  assert.ok(!svg.includes('<x>'));
  assert.ok(svg.includes('&lt;x&gt;&amp;&quot;'));
  assert.ok(svg.includes('&apos;'));
  assert.ok(!svg.includes('b'.repeat(61)));
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="20" role="img" aria-label="[^"<>]*">/);
  assert.ok(svg.includes('#2e7d32'));
});

test('escapeXml covers the five XML specials', () => {
  assert.equal(escapeXml(`<>&"'`), '&lt;&gt;&amp;&quot;&apos;');
});
