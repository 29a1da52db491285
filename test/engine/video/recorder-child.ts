// Run by recorder.test.ts as a real engine-like process that gets SIGKILLed:
//   node --experimental-transform-types recorder-child.ts <dataDir>
// Starts one demo camera and prints {"ffmpegPid": …} once it records.
import { EventLog } from '../../../src/engine/events/event-log.ts';
import { openStore } from '../../../src/engine/store/database.ts';
import { Recorder } from '../../../src/engine/video/recorder.ts';
import { demoCamera, ffmpegPath } from '../../helpers/video.ts';

const [dataDir = ''] = process.argv.slice(2);
const store = openStore(dataDir);
const recorder = new Recorder({
  store,
  events: new EventLog(store),
  archiveDir: `${dataDir}/archive`,
  ffmpegPath,
  cameras: [demoCamera('orphan')],
});
recorder.subscribe((status) => {
  if (status.state === 'recording') {
    process.stdout.write(`${JSON.stringify({ ffmpegPid: recorder.pid('orphan') })}\n`);
  }
});
recorder.start();
setInterval(() => {}, 60_000);
