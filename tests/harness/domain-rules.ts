/**
 * The frontier's domain rules as the tests need them: the defaults with `.test` allowed, since
 * every simulated host lives under `.test` (RFC 2606). Production refuses `.test` unless
 * CHATLAS_ALLOW_TLDS says otherwise; tests that start `chatlas` set CHATLAS_ALLOW_TLDS=test instead.
 */
import { DEFAULT_RESERVED_TLDS, type NormaliseOptions } from '../../crawler/discover/domain-name.ts';

/** Normalisation options that accept `.test` names and refuse everything else production refuses. */
export const TEST_DOMAIN_RULES: NormaliseOptions = { reservedTlds: DEFAULT_RESERVED_TLDS.filter((tld) => tld !== 'test') };
