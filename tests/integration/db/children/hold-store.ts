// Child process for failures.test.ts: opens the store at argv[2], says "open", and waits to be killed.
import { createDb } from '../../../../db/client.ts';
import { loadDbConfig } from '../../../../db/config.ts';

await createDb(loadDbConfig({ env: { CHATLAS_DATA: process.argv[2] } }));
process.stdout.write('open\n');
setInterval(() => {}, 1000);
