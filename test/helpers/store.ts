import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EventLog } from '../../src/engine/events/event-log.ts';
import { openStore } from '../../src/engine/store/database.ts';

/** A Custody database whose b-tree pages after the first are scribbled over; its path. */
export function damagedDatabase(dataDir: string): string {
  const store = openStore(dataDir);
  const log = new EventLog(store);
  for (let i = 0; i < 300; i++) {
    log.append({
      level: 'info',
      kind: 'upload.done',
      subject: `job-${i}`,
      message: 'x'.repeat(200),
    });
  }
  store.close();
  const dbFile = path.join(dataDir, 'custody.db');
  const bytes = readFileSync(dbFile);
  const pageSize = bytes.readUInt16BE(16);
  // The header and the schema page stay intact.
  bytes.fill(0xa5, pageSize * 2, pageSize * 6);
  writeFileSync(dbFile, bytes);
  return dbFile;
}
