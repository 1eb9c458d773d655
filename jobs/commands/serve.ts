import type { CommandSpec } from '../cli/command.ts';
import { NotBuiltError } from '../cli/errors.ts';

export const serveCommand: CommandSpec = {
  name: 'serve',
  summary: 'Serve the site, the API and /metrics, and run the crawl scheduler, in one process',
  help: `Usage: chatlas serve [--host H] [--port P]

Opens the store (migrating it), serves the site and the JSON API, and runs
the crawl scheduler in the same process.`,
  options: {},
  config: ['server', 'db', 'crawl'],
  async run() {
    throw new NotBuiltError('the site server is not built yet in this version of Chatlas');
  },
};
