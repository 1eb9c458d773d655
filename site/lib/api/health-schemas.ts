/**
 * The API's schemas of the health report: the crawler's report items
 * (crawler/report-item.ts) and the findings of the report model
 * (crawler/health/health-report.ts), as the server detail and the
 * registration answers carry them. Levels come from the crawler's own list.
 */
import { z } from 'zod';
import { REPORT_LEVELS } from '../../../crawler/types.ts';

const level = z.enum(REPORT_LEVELS);

/** One item the crawler wrote. */
export const reportItemSchema = z.object({
  step: z.string().describe('The probe step it is about.'),
  level,
  message: z.string().describe('What was found, in a sentence a server admin understands.'),
  fix: z.string().optional().describe('How to fix it.'),
});

/** One finding of the health report, most serious first in its list. */
export const findingSchema = z.object({
  level,
  title: z.string(),
  detail: z.string(),
  fix: z.string().describe('How to fix it; empty when nothing needs fixing.'),
  steps: z.array(z.string()).describe('The probe steps it is about: a cause that broke several steps lists them all.'),
});
