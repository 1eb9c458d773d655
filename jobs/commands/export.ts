import type { CommandSpec } from '../cli/command.ts';
import { NotBuiltError } from '../cli/errors.ts';

export const exportCommand: CommandSpec = {
  name: 'export',
  summary: 'Export servers or rooms as CSV or NDJSON',
  help: `Usage: chatlas export servers|rooms [--format csv|ndjson]`,
  options: { format: { type: 'string', default: 'ndjson' } },
  config: ['db'],
  async run() {
    throw new NotBuiltError('export is not built yet in this version of Chatlas');
  },
};
