// Live per-camera export progress on real parts: footage made by ffmpeg, the real clip export
// and the encrypted buffer. The buffer here looks at the engine each time a piece of a clip
// reaches it, so the checks see the export mid-way without depending on timing.
import { pipeline, type Readable, Transform } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BufferStore, type BufferStoreOptions } from '../../../src/engine/crypto/buffer-store.ts';
import { openStore } from '../../../src/engine/store/database.ts';
import type { RequestCameraView, RequestView } from '../../../src/protocol/engine-state.ts';
import { waitFor } from '../../helpers/video.ts';
import type { Service } from '../../server/service-fixture.ts';
import {
  createRequest,
  type EngineSide,
  engineSide,
  makeFootage,
  serviceWithCase,
  tempDir,
} from './request-rig.ts';

type Tap = (piece: Buffer) => Promise<void>;

/** The real buffer, with a look at each piece of a clip before it is encrypted. */
class WatchedBuffer extends BufferStore {
  readonly #tap: Tap;

  constructor(options: BufferStoreOptions, tap: Tap) {
    super(options);
    this.#tap = tap;
  }

  override write(fileId: string, source: Readable) {
    const tap = this.#tap;
    const watched = new Transform({
      transform(piece: Buffer, _encoding, done) {
        tap(piece).then(() => done(null, piece), done);
      },
    });
    return super.write(
      fileId,
      pipeline(source, watched, () => {}),
    );
  }
}

let service: Service;
let caseId: string;
let dir: ReturnType<typeof tempDir>;
let engine: EngineSide | undefined;

beforeEach(async () => {
  ({ service, caseId } = await serviceWithCase());
  dir = tempDir('custody-progress-');
});

afterEach(async () => {
  await engine?.stop();
  engine = undefined;
  await service.close();
  dir.remove();
});

describe('export progress', () => {
  it('grows bytes and a fraction below 1 while exporting, and tells subscribers, before held', async () => {
    const anchorMs = Date.now() - 60_000;
    const store = openStore(dir.path);
    makeFootage(store, dir.path, 'cam-1', { seconds: 20, anchorMs, size: '640x360' });
    store.close();

    let requestId = '';
    const camera = (view: RequestView | undefined) => view?.cameras[0] as RequestCameraView;
    /** The camera as the engine shows it each time a piece reaches the buffer. */
    const seen: Array<{ into: number; view: RequestView }> = [];
    let into = 0;
    // The first piece waits until a subscriber is told of bytes exported: the console's path.
    let told: (view: RequestView) => void = () => {};
    const notified = new Promise<RequestView>((resolve) => {
      told = resolve;
    });

    const side = engineSide(service, dir.path, {
      buffer: (options) =>
        new WatchedBuffer(options, async (piece) => {
          into += piece.length;
          const view = side.manager.get(requestId) as RequestView;
          seen.push({ into, view });
          if (seen.length === 1) await notified;
        }),
    });
    engine = side;
    side.manager.subscribe(() => {
      const view = side.manager.get(requestId);
      if (view && camera(view).state === 'exporting' && camera(view).bytes > 0) told(view);
    });

    const request = await createRequest(
      service,
      caseId,
      ['cam-1'],
      anchorMs + 1_000,
      anchorMs + 19_000,
    );
    requestId = request.id;
    const held = await waitFor(
      () => {
        const view = side.manager.get(request.id);
        return view?.state === 'held' ? view : undefined;
      },
      `request ${request.id} held`,
      20_000,
    );

    const pushed = camera(await notified);
    expect(pushed.progress).toBeGreaterThan(0);
    expect(pushed.progress).toBeLessThan(1);

    // Several pieces, each seen mid-export with what had gone out of ffmpeg by then.
    expect(seen.length).toBeGreaterThan(3);
    const final = camera(held);
    for (const { into: written, view } of seen) {
      const cam = camera(view);
      expect(view.state).toBe('exporting');
      expect(cam.state).toBe('exporting');
      expect(cam.sha256).toBeNull();
      // Counted on the way out of ffmpeg, so never behind what the buffer has taken.
      expect(cam.bytes).toBeGreaterThanOrEqual(written);
      expect(cam.bytes).toBeLessThanOrEqual(final.bytes);
      expect(cam.expectedBytes).toBeGreaterThan(0);
      expect(cam.progress).toBeGreaterThan(0);
      expect(cam.progress).toBeLessThan(1);
    }
    const bytes = seen.map(({ view }) => camera(view).bytes);
    const progress = seen.map(({ view }) => camera(view).progress ?? 0);
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(bytes.at(-1)).toBeGreaterThan(bytes[0] ?? 0);

    // The expected size is the archive's, and the clip lands close to it.
    const expected = camera(seen[0]?.view).expectedBytes ?? 0;
    expect(Math.abs(final.bytes - expected) / final.bytes).toBeLessThan(0.05);
    expect(final).toMatchObject({ state: 'held', expectedBytes: null, progress: 1 });
  });
});
