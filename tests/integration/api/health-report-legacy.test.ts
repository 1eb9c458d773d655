/**
 * The health report through the store and the API over rows the crawler wrote
 * before the outcome union (tests/fixtures/probe-results/legacy-outcomes): the
 * store's reader maps them (crawler/outcome.ts parseOutcome), so a healthy
 * server shows no error and the report equals the one of the same recording read as a file.
 */
import { healthReportCases } from './health-report-cases.ts';
import { LEGACY_DIR } from '../../harness/probe-fixtures.ts';

healthReportCases(LEGACY_DIR);
