// A stock tus server in its own process, so a bench can measure the engine's memory alone:
//   node --experimental-transform-types tus-peer-child.ts <directory>
// Prints {"url": …} once, then {"t": ms, "received": {id: bytes}} every 100 ms.
import { startTusPeer } from './tus-peer.ts';

const peer = await startTusPeer(process.argv[2] ?? '.');
process.stdout.write(`${JSON.stringify({ url: peer.url })}\n`);
setInterval(() => {
  const received = Object.fromEntries(peer.receivedById());
  process.stdout.write(`${JSON.stringify({ t: performance.now(), received })}\n`);
}, 100);
