/** GET /api/v1/stats/series: one network metric over time, per protocol, with its coverage. */
import { apiRoute, optionsRoute } from '../../../../lib/api/route.ts';
import { parseQuery } from '../../../../lib/api/validate.ts';
import { jsonResponse } from '../../../../lib/api/json-response.ts';
import { rangeDates } from '../../../../lib/api/range-dates.ts';
import { metricPoint } from '../../../../lib/api/metric-point.ts';
import { defaultStep, seriesParams } from '../../../../lib/params.ts';
import { getNetworkSeries } from '../../../../../db/queries/stats/get-network-series.ts';

export const prerender = false;

export const GET = apiRoute('read', async ({ request }, deps) => {
  const q = parseQuery(new URL(request.url), seriesParams);
  if (!q.ok) return q.response;
  const { metric, range, protocol } = q.value;
  const step = q.value.step ?? defaultStep(range);
  const { from, to } = rangeDates(range, deps.now());
  const points = await getNetworkSeries(deps.db, { from, to, step, ...(protocol ? { protocol } : {}) });
  return jsonResponse(request, { metric, range, step, from, to, points: points.map((p) => metricPoint(metric, p)) }, { maxAge: 300 });
}, { cacheSeconds: 300 });

export const OPTIONS = optionsRoute;
