import type { Readable } from 'node:stream';
import type { DataStore } from '@tus/server';
import type { Principal } from '../protocol/service.ts';
import type { PushHub } from './push-hub.ts';
import type { Repository } from './repository.ts';

/** Evidence bytes must be readable back, for the hash check and for downloads. */
export type EvidenceStore = DataStore & { read(id: string): Readable };

/** What every route module needs; built once by createServer. */
export type ServiceContext = {
  repo: Repository;
  hub: PushHub;
  store: EvidenceStore;
  requestExpiryMs: number;
  now: () => Date;
};

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on every /v1 route. */
    principal: Principal;
    /** The SHA-256 of the key it came with. */
    keyHash: string;
  }
}
