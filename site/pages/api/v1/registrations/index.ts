/** POST /api/v1/registrations: submit a domain; answers the challenge instructions. */
import { apiRoute, optionsRoute } from '../../../../lib/api/route.ts';
import { parseJsonBody } from '../../../../lib/api/validate.ts';
import { registrationRequestSchema } from '../../../../lib/api/schemas.ts';
import { noStoreJson, refusalResponse } from '../../../../lib/api/outcome-response.ts';
import { registerDomain } from '../../../../../registration/register-domain.ts';

export const prerender = false;

export const POST = apiRoute('write', async ({ request }, deps, client) => {
  const body = await parseJsonBody(request, registrationRequestSchema);
  if (!body.ok) return body.response;
  const outcome = await registerDomain(deps.db, deps.registration, body.value.domain, client, deps.now());
  if (!outcome.ok) return refusalResponse(outcome);
  return noStoreJson(outcome.value, 201, { location: `/api/v1/registrations/${outcome.value.registration.id}` });
});

export const OPTIONS = optionsRoute;
