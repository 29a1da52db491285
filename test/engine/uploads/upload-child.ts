// The uploader as a real process, for the SIGKILL tests:
//   node --experimental-transform-types upload-child.ts <dataDir> <endpoint> <rate> <file>...
// Queues the files (a rerun finds them queued already), prints "ready", uploads, prints the
// final states as JSON and exits.
import { TusDestination } from '../../../src/engine/uploads/tus-destination.ts';
import { makeRig } from './rig.ts';

const [dataDir = '', endpoint = '', rate = 'null', ...files] = process.argv.slice(2);

const rig = makeRig({
  dataDir,
  destinations: [new TusDestination({ id: 'peer', endpoint })],
  rate: JSON.parse(rate) as number | null,
  chunkSize: 128 * 1024,
  concurrency: 2,
  retry: { maxAttempts: 20, baseMs: 10, maxMs: 100 },
});
for (const file of files)
  rig.queue.enqueue({ sourceKind: 'picked', path: file, destinationId: 'peer' });
rig.scheduler.start();
process.stdout.write('ready\n');
await rig.scheduler.whenIdle();
const states = rig.queue
  .list()
  .map((job) => ({ path: job.path, state: job.state, error: job.error }));
await rig.close();
process.stdout.write(`${JSON.stringify(states)}\n`);
