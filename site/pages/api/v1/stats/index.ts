/** GET /api/v1/stats: network totals as of the latest complete day, with the comparison point. */
import { apiRoute, optionsRoute } from '../../../../lib/api/route.ts';
import { parseQuery } from '../../../../lib/api/validate.ts';
import { jsonResponse } from '../../../../lib/api/json-response.ts';
import { overviewParams, rangeDays } from '../../../../lib/params.ts';
import { getNetworkTotals } from '../../../../../db/queries/stats/get-network-totals.ts';

export const prerender = false;

export const GET = apiRoute('read', async ({ request }, deps) => {
  const q = parseQuery(new URL(request.url), overviewParams);
  if (!q.ok) return q.response;
  const totals = await getNetworkTotals(deps.db, {
    now: deps.now(),
    compareDays: rangeDays(q.value.range) ?? 365,
    ...(q.value.protocol ? { protocol: q.value.protocol } : {}),
  });
  return jsonResponse(request, totals, { maxAge: 300 });
}, { cacheSeconds: 300 });

export const OPTIONS = optionsRoute;
