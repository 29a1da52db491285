// A stock @tus/server with @tus/file-store on loopback: the peer our tus client must work with.
// Shared by the tests, the kill child and the benches.
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server as HttpServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';
import { Server } from '@tus/server';

/** FileStore that counts the bytes the server received, to measure what was sent twice. */
class CountingStore extends FileStore {
  received = 0;
  readonly receivedById = new Map<string, number>();

  override write(readable: Readable, id: string, offset: number): Promise<number> {
    readable.on('data', (chunk: Buffer) => {
      this.received += chunk.length;
      this.receivedById.set(id, (this.receivedById.get(id) ?? 0) + chunk.length);
    });
    return super.write(readable, id, offset);
  }
}

export type TusPeer = {
  /** Creation endpoint, e.g. http://127.0.0.1:1234/files */
  url: string;
  port: number;
  directory: string;
  /** Bytes of upload bodies the server received. */
  received: () => number;
  /** The same, per upload id. */
  receivedById: () => ReadonlyMap<string, number>;
  /** Completed uploads in the store: id, size, sha256, metadata. */
  uploads: () => Promise<StoredUpload[]>;
  close: () => Promise<void>;
};

export type StoredUpload = {
  id: string;
  size: number;
  offset: number;
  sha256: string;
  metadata: Record<string, string | null>;
};

export async function startTusPeer(
  directory: string,
  options: { path?: string; onRequest?: (headers: IncomingHttpHeaders) => void } = {},
): Promise<TusPeer> {
  const datastore = new CountingStore({ directory });
  const tusPath = options.path ?? '/files';
  const tus = new Server({ path: tusPath, datastore });
  const http: HttpServer = createServer((req, res) => {
    options.onRequest?.(req.headers);
    tus.handle(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${tusPath}`,
    port,
    directory,
    received: () => datastore.received,
    receivedById: () => datastore.receivedById,
    uploads: () => readUploads(directory),
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

export async function readUploads(directory: string): Promise<StoredUpload[]> {
  const uploads: StoredUpload[] = [];
  for (const name of readdirSync(directory)) {
    if (!name.endsWith('.json')) continue;
    const id = name.slice(0, -'.json'.length);
    const info = JSON.parse(readFileSync(path.join(directory, name), 'utf8')) as {
      size: number;
      metadata: Record<string, string | null>;
    };
    const file = path.join(directory, id);
    uploads.push({
      id,
      size: info.size,
      // FileStore's record keeps the offset at creation; the data file's length is the truth.
      offset: statSync(file).size,
      sha256: await sha256Of(file),
      metadata: info.metadata,
    });
  }
  return uploads;
}

export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
