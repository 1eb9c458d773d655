/** GET /api/v1/software/{name}: one implementation, its servers, its versions over time and its measured profile beside the other implementations. */
import { apiRoute, optionsRoute } from '../../../../lib/api/route.ts';
import { parsePath, parseQuery } from '../../../../lib/api/validate.ts';
import { jsonResponse } from '../../../../lib/api/json-response.ts';
import { problem } from '../../../../lib/api/problem.ts';
import { rangeDates } from '../../../../lib/api/range-dates.ts';
import { softwareDetailQuery, softwarePath } from '../../../../lib/api/operations.ts';
import { defaultStep } from '../../../../lib/params.ts';
import { getSoftwareComparison } from '../../../../../db/queries/software/get-software-comparison.ts';
import { getVersionSeries } from '../../../../../db/queries/software/get-version-series.ts';
import { softwareRole } from '../../../../../crawler/software-role.ts';
import { ownVersionsProtocol } from '../../../../lib/software-roles.ts';
import { loadSoftwareProfiles } from '../../../../lib/pages/load-software-profiles.ts';
import { profileTables } from '../../../../../guide/profile.ts';

export const prerender = false;

export const GET = apiRoute('read', async ({ request, params }, deps) => {
  const path = parsePath(params, softwarePath);
  if (!path.ok) return path.response;
  const q = parseQuery(new URL(request.url), softwareDetailQuery);
  if (!q.ok) return q.response;
  const name = path.value.name;
  const rows = await getSoftwareComparison(deps.db, { software: name, ...(q.value.protocol ? { protocol: q.value.protocol } : {}) });
  if (rows.length === 0) return problem('not-found', `no server runs ${JSON.stringify(name)}`);
  const protocols = rows.map((r) => ({ ...r, role: softwareRole(r.protocol, r.software) }));
  const step = defaultStep(q.value.range);
  // The asked protocol's versions; else the implementation's own (ejabberd's are its XMPP servers', not its Matrix gateway's).
  const protocol = q.value.protocol ?? ownVersionsProtocol(rows);
  const now = deps.now();
  const [versions, profiles] = await Promise.all([
    getVersionSeries(deps.db, { software: name, step, ...rangeDates(q.value.range, now), ...(protocol ? { protocol } : {}) }),
    loadSoftwareProfiles(deps.db, now),
  ]);
  const profile = profileTables(profiles, name).filter((t) => !q.value.protocol || t.protocol === q.value.protocol);
  return jsonResponse(request, { name, range: q.value.range, step, protocols, versions, profile }, { maxAge: 300 });
}, { cacheSeconds: 300 });

export const OPTIONS = optionsRoute;
