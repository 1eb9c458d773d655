/** GET /api/v1/badge/{domain}.svg: an embeddable status badge of one server. */
import { apiRoute, optionsRoute } from '../../../../lib/api/route.ts';
import { parsePath } from '../../../../lib/api/validate.ts';
import { entityResponse } from '../../../../lib/api/json-response.ts';
import { renderBadge } from '../../../../lib/api/badge-svg.ts';
import { serverPath } from '../../../../lib/api/operations.ts';
import { getServer } from '../../../../../db/queries/servers/get-server.ts';

export const prerender = false;

const SVG = 'image/svg+xml; charset=utf-8';

export const GET = apiRoute('read', async ({ request, params }, deps) => {
  const path = parsePath(params, serverPath);
  // An image tag shows an image even for an error, so errors are badges too (with their status).
  if (!path.ok) return entityResponse(request, renderBadge('chatlas', 'invalid domain', 'unknown'), { status: 404, contentType: SVG, maxAge: 60 });
  const protocols = await getServer(deps.db, { domain: path.value.domain });
  if (protocols.length === 0) return entityResponse(request, renderBadge(path.value.domain, 'not listed', 'unknown'), { status: 404, contentType: SVG, maxAge: 300 });
  const up = protocols.some((p) => p.latest.status === 'ok');
  const best = protocols.find((p) => p.latest.status === 'ok') ?? protocols[0]!;
  const software = best.lastOk ? `${best.lastOk.software}${best.lastOk.version ? ` ${best.lastOk.version}` : ''}` : '';
  const message = up ? (software ? `up · ${software}` : 'up') : 'down';
  return entityResponse(request, renderBadge(path.value.domain, message, up ? 'ok' : 'down'), { contentType: SVG, maxAge: 300 });
}, { cacheSeconds: 300 });

export const OPTIONS = optionsRoute;
