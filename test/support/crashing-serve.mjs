// `shotscale serve` (same arguments as the CLI) that throws an error nothing
// catches when it gets SIGUSR2: a rehearsed bug, for the server's last-resort
// handler. The product has no such hook; only this test entry does.
import { register } from 'tsx/esm/api';

register();
process.on('SIGUSR2', () => {
  setImmediate(() => {
    throw new Error('rehearsed unexpected error');
  });
});
await import('../../server/cli/main.ts');
