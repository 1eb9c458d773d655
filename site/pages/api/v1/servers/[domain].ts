/** GET /api/v1/servers/{domain}: latest facts and health report per protocol, daily history, discovery. */
import { apiRoute, optionsRoute } from '../../../../lib/api/route.ts';
import { parsePath, parseQuery } from '../../../../lib/api/validate.ts';
import { jsonResponse } from '../../../../lib/api/json-response.ts';
import { problem } from '../../../../lib/api/problem.ts';
import { rangeDates } from '../../../../lib/api/range-dates.ts';
import { serverDetailQuery, serverPath } from '../../../../lib/api/operations.ts';
import { getServer } from '../../../../../db/queries/servers/get-server.ts';
import { getServerHistory } from '../../../../../db/queries/servers/get-server-history.ts';
import { getServerDiscovery } from '../../../../../db/queries/servers/get-server-discovery.ts';
import { getServerObservations } from '../../../../../db/queries/servers/get-server-observations.ts';
import { healthReport } from '../../../../lib/health-report.ts';
import { getDomainRegistration } from '../../../../../db/queries/registrations/get-domain-registration.ts';

export const prerender = false;

export const GET = apiRoute('read', async ({ request, params }, deps) => {
  const path = parsePath(params, serverPath);
  if (!path.ok) return path.response;
  const q = parseQuery(new URL(request.url), serverDetailQuery);
  if (!q.ok) return q.response;
  const domain = path.value.domain;
  // getServer returns [] for unknown, hidden and opted-out domains alike: all are 404 here.
  const protocols = await getServer(deps.db, { domain });
  if (protocols.length === 0) return problem('not-found', `Chatlas lists no server ${JSON.stringify(domain)}`);
  const [history, discovery, registration, observations] = await Promise.all([
    getServerHistory(deps.db, { domain, ...rangeDates(q.value.range, deps.now()) }),
    getServerDiscovery(deps.db, { domain }),
    getDomainRegistration(deps.db, domain),
    getServerObservations(deps.db, { domain }),
  ]);
  // The same health report as the server page (site/lib/health-report.ts), per protocol.
  const withFindings = protocols.map((p) => ({ ...p, findings: healthReport(p, observations, deps.now()) }));
  const admin = registration?.state === 'verified' ? { verified: true as const, description: registration.description, contact: registration.contact } : null;
  return jsonResponse(request, { domain, protocols: withFindings, history, discovery, registration: admin }, { maxAge: 60 });
}, { cacheSeconds: 60 });

export const OPTIONS = optionsRoute;
