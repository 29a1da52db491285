// The engine's request side as a real process, for the SIGKILL tests:
//   node --experimental-transform-types request-child.ts <dataDir> <serviceUrl> <systemKey> <rate>
// Takes requests over push + catch-up, exports, delivers when approved on the service, and
// prints one JSON line per change: every request's state, its clips and its upload offsets.
import { readdirSync } from 'node:fs';
import { ServiceRestClient } from '../../../src/engine/service/rest-client.ts';
import type { Service } from '../../server/service-fixture.ts';
import { engineSide } from './request-rig.ts';

const [dataDir = '', url = '', key = '', rate = 'null'] = process.argv.slice(2);
const service = {
  url,
  system: { key, client: new ServiceRestClient({ url, apiKey: key }) },
} as unknown as Service;
const side = engineSide(service, dataDir, {
  rate: JSON.parse(rate) as number | null,
  chunkSize: 64 * 1024,
});

function print(): void {
  const jobs = side.queue.list().filter((job) => job.sourceKind === 'request');
  const requests = side.manager.list().map((r) => ({
    id: r.id,
    state: r.state,
    clips: r.cameras.map((c) => c.state),
    bufferFiles: readdirSync(side.bufferDir).length,
    // The file goes before the clip is marked shredded: a kill in between leaves the mark to
    // the next start, so the test waits for the marks, not only for the files.
    unshredded: (
      side.store.db
        .prepare(
          'SELECT count(*) AS n FROM request_clips WHERE request_id = ? AND shredded_at IS NULL',
        )
        .get(r.id) as { n: number }
    ).n,
    offsets: jobs.filter((job) => job.sourceId === r.id).map((job) => job.offset),
    jobs: jobs
      .filter((job) => job.sourceId === r.id)
      .map((job) => `${job.state}:${job.size}${job.error ? `:${job.error}` : ''}`),
  }));
  process.stdout.write(`${JSON.stringify(requests)}\n`);
}
// The parent may be gone (killed test run): nothing to print to, so stop.
process.stdout.on('error', () => process.exit(0));
side.manager.subscribe(print);
setInterval(print, 50);
process.stdout.write('ready\n');
