// Runs inside a private mount namespace where `archive-full` is a 64 KiB tmpfs: a real ENOSPC.
import { ArchiveDestination } from '../../../src/engine/uploads/archive-destination.ts';
import { makeRig, randomFile } from './rig.ts';

const [dir, fullDir, roomyDir] = process.argv.slice(2) as [string, string, string];
const rig = makeRig({
  dataDir: dir,
  destinations: [
    new ArchiveDestination({ id: 'full', path: fullDir }),
    new ArchiveDestination({ id: 'roomy', path: roomyDir }),
  ],
  retry: { maxAttempts: 3, baseMs: 10, maxMs: 20 },
});
const big = rig.queue.enqueue({
  sourceKind: 'picked',
  path: randomFile(dir, 'big.mp4', 512 * 1024),
  destinationId: 'full',
}).job;
const other = rig.queue.enqueue({
  sourceKind: 'picked',
  path: randomFile(dir, 'other.mp4', 300 * 1024),
  destinationId: 'roomy',
}).job;
rig.scheduler.start();
await rig.scheduler.whenIdle();
console.log(JSON.stringify([rig.queue.get(big.id), rig.queue.get(other.id)]));
await rig.close();
