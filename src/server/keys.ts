import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from '../protocol/service.ts';
import type { NewPrincipal, Repository } from './repository.ts';

/**
 * A plain SHA-256 is enough: keys are 32 random bytes, so there is nothing to brute-force and
 * no need for a slow password hash on every request.
 */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** `cst_` lets the logger (and secret scanners) recognise and mask a key wherever it appears. */
export function generateKey(): string {
  return `cst_${randomBytes(32).toString('base64url').replaceAll(/[-_]/g, '')}`;
}

/** The key is returned once and never stored in clear. */
export function issueKey(repo: Repository, principalId: string): string {
  const key = generateKey();
  repo.addKey(principalId, hashKey(key));
  return key;
}

export function createAccount(
  repo: Repository,
  input: NewPrincipal,
): { principal: Principal; key: string } {
  return repo.transaction(() => {
    const principal = repo.createPrincipal(input);
    return { principal, key: issueKey(repo, principal.id) };
  });
}
