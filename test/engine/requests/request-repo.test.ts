import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RequestRepo } from '../../../src/engine/requests/request-repo.ts';
import { openStore, type Store } from '../../../src/engine/store/database.ts';
import type { RequestState, VideoRequest } from '../../../src/protocol/service.ts';
import { tempDir } from '../../helpers/cli.ts';

const at = '2026-11-24T08:00:00.000Z';

function videoRequest(n: number, state: RequestState): VideoRequest {
  return {
    id: `req_${String(n).padStart(16, '0')}`,
    cursor: n,
    systemId: 'sys_0123456789abcdef',
    caseId: 'case_0123456789abcdef',
    cameras: ['cam-1'],
    from: at,
    to: at,
    reason: 'Break-in at the front desk',
    state,
    createdBy: { id: 'usr_0123456789abcdef', kind: 'user', name: 'Det. Ivy Moss' },
    createdAt: at,
    updatedAt: at,
    expiresAt: at,
    decision: null,
    failureReason: null,
  };
}

describe('request repository', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let repo: RequestRepo;
  beforeEach(() => {
    dir = tempDir();
    store = openStore(dir.path);
    repo = new RequestRepo(store, () => new Date(at));
  });
  afterEach(() => {
    store.close();
    dir.remove();
  });

  const add = (n: number, state: RequestState) =>
    repo.insert(videoRequest(n, state), state, at, [
      {
        cameraId: 'cam-1',
        cameraName: 'Front lobby',
        cameraLocation: 'Lobby',
        fileId: `file-${n}`,
        state: 'pending',
        error: null,
      },
    ]);

  it('gives the inbox every undecided request, oldest first, then the newest decided ones', () => {
    const states: RequestState[] = [
      'delivered',
      'held',
      'destroyed',
      'received',
      'failed',
      'delivered',
      'exporting',
    ];
    for (const [i, state] of states.entries()) add(i + 1, state);
    const ids = repo.inbox(2).map((r) => `${Number(r.id.slice(4))} ${r.state}`);
    expect(ids).toEqual(['2 held', '4 received', '7 exporting', '6 delivered', '5 failed']);
  });

  it('counts its writes, so a view built from it knows when it is stale', () => {
    const before = repo.writes;
    add(1, 'received');
    repo.update('req_0000000000000001', { state: 'held' });
    repo.updateClip('req_0000000000000001', 'cam-1', { state: 'held' });
    expect(repo.writes).toBe(before + 3);
    repo.inbox(200);
    repo.clips('req_0000000000000001');
    expect(repo.writes).toBe(before + 3);
  });
});
