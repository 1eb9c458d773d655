import type { CommandSpec } from '../cli/command.ts';
import { NotBuiltError } from '../cli/errors.ts';

export const demoCommand: CommandSpec = {
  name: 'demo',
  summary: 'Start a simulated federation on loopback, crawl it into a fresh store and serve the site',
  help: `Usage: chatlas demo [--port P]

Everything stays on 127.0.0.0/8: our own DNS server, simulated XMPP and
Matrix servers, a fresh embedded store in a temp folder, and the site.`,
  options: {},
  config: ['server'],
  async run() {
    throw new NotBuiltError('the demo is not built yet in this version of Chatlas');
  },
};
