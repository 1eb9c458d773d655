/** GET /api/v1/software: every implementation side by side, from each server's latest state. */
import { apiRoute, optionsRoute } from '../../../../lib/api/route.ts';
import { parseQuery } from '../../../../lib/api/validate.ts';
import { jsonResponse } from '../../../../lib/api/json-response.ts';
import { softwareListParams } from '../../../../lib/api/operations.ts';
import { getSoftwareComparison } from '../../../../../db/queries/software/get-software-comparison.ts';
import { softwareRole } from '../../../../../crawler/software-role.ts';

export const prerender = false;

export const GET = apiRoute('read', async ({ request }, deps) => {
  const q = parseQuery(new URL(request.url), softwareListParams);
  if (!q.ok) return q.response;
  const rows = await getSoftwareComparison(deps.db, q.value.protocol ? { protocol: q.value.protocol } : {});
  // The role says which rows are implementations of the protocol and which federate as gateways or directories.
  const software = rows.map((r) => ({ ...r, role: softwareRole(r.protocol, r.software) }));
  return jsonResponse(request, { software }, { maxAge: 300 });
}, { cacheSeconds: 300 });

export const OPTIONS = optionsRoute;
