/**
 * The logic of site/pages/register.astro: the same actions as the API
 * (jobs/registration), driven by an HTML form, under the same write rate
 * limit. The page only renders the view this returns.
 */
import { registerDomain, type ProbeSummary } from '../../../registration/register-domain.ts';
import { verifyRegistration } from '../../../registration/verify-registration.ts';
import type { RegistrationView } from '../../../registration/public-view.ts';
import type { OwnershipEvidence } from '../../../registration/verify-ownership.ts';
import type { ApiDeps } from './deps.ts';
import { clientKey } from './rate-limiter.ts';

/** What the page shows. */
export type RegisterPageView =
  | { kind: 'form'; domain: string; error: string | null }
  | { kind: 'pending'; registration: RegistrationView; probe: ProbeSummary | null; error: string | null; evidence: OwnershipEvidence[] }
  | { kind: 'verified'; registration: RegistrationView; secret: string };

/** The page's answer: an HTTP status and the view. */
export interface RegisterPageResult {
  status: number;
  view: RegisterPageView;
  /** Extra response headers (Retry-After on 429). */
  headers: Record<string, string>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Handle a GET (empty form) or a POST of the form (`action` = register | verify). */
export async function handleRegisterPage(request: Request, deps: ApiDeps, address: string | undefined): Promise<RegisterPageResult> {
  if (request.method !== 'POST') return { status: 200, view: { kind: 'form', domain: '', error: null }, headers: {} };
  const client = clientKey(address);
  const decision = deps.writeLimiter.take(client, deps.now().getTime());
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return { status: 400, view: { kind: 'form', domain: '', error: 'The form could not be read; please try again.' }, headers: {} };
  }
  const field = (name: string) => String(form.get(name) ?? '').slice(0, 300);
  if (!decision.allowed) {
    return { status: 429, view: { kind: 'form', domain: field('domain'), error: `Too many attempts from your address; try again in ${decision.retryAfterSeconds} seconds.` }, headers: { 'retry-after': String(decision.retryAfterSeconds) } };
  }
  if (field('action') === 'verify') {
    const id = field('id');
    if (!UUID.test(id)) return { status: 400, view: { kind: 'form', domain: '', error: 'That registration id is not valid.' }, headers: {} };
    const outcome = await verifyRegistration(deps.db, deps.registration, id, deps.now());
    if (outcome.ok) return { status: 200, view: { kind: 'verified', registration: outcome.value.registration, secret: outcome.value.managementSecret }, headers: {} };
    if (outcome.code === 'verification-failed') {
      const { getRegistration } = await import('../../../db/queries/registrations/get-registration.ts');
      const { publicView } = await import('../../../registration/public-view.ts');
      const current = await getRegistration(deps.db, id);
      if (current) {
        return { status: 422, view: { kind: 'pending', registration: publicView(current), probe: null, error: outcome.detail, evidence: (outcome.extra?.evidence as OwnershipEvidence[] | undefined) ?? [] }, headers: {} };
      }
    }
    return { status: outcome.code === 'not-found' ? 404 : outcome.code === 'registration-expired' ? 410 : 409, view: { kind: 'form', domain: '', error: outcome.detail }, headers: {} };
  }
  const domain = field('domain');
  const outcome = await registerDomain(deps.db, deps.registration, domain, client, deps.now());
  if (!outcome.ok) return { status: outcome.code === 'too-many-pending' ? 429 : 400, view: { kind: 'form', domain, error: outcome.detail }, headers: {} };
  return { status: 201, view: { kind: 'pending', registration: outcome.value.registration, probe: outcome.value.probe, error: null, evidence: [] }, headers: {} };
}
