/** The health report through the store and the API: recordings of the crawler as it writes now (see health-report-cases.ts). */
import { healthReportCases } from './health-report-cases.ts';
import { PROBE_RESULTS_DIR } from '../../harness/probe-fixtures.ts';

healthReportCases(PROBE_RESULTS_DIR);
