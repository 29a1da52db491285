/**
 * Who may do what. 401 means "we do not know you" (missing, wrong or revoked key); 403 means
 * "we know you, but not this" and always says which role or permission is missing.
 */
import type { Case, CaseView, PermissionLevel, Principal, Role } from '../protocol/service.ts';
import { ApiError } from './api-error.ts';
import { hashKey } from './keys.ts';
import type { Repository } from './repository.ts';

/** The key's holder, and the key's hash for checking again later (an open push socket). */
export function authenticate(
  repo: Repository,
  authorization: string | null | undefined,
): { principal: Principal; keyHash: string } {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1]) {
    throw new ApiError('unauthorized', 'no API key — send it as "Authorization: Bearer cst_…"');
  }
  const keyHash = hashKey(match[1]);
  const principal = repo.principalByKeyHash(keyHash);
  if (!principal) {
    throw new ApiError(
      'unauthorized',
      'the API key is wrong or has been revoked — ask the service admin for a new key',
    );
  }
  if (!principal.active) {
    throw new ApiError(
      'forbidden',
      `${principal.kind} "${principal.name}" is inactive — ask the service admin to reactivate it`,
    );
  }
  return { principal, keyHash };
}

const roleNames: Record<Role, string> = {
  investigator: 'investigators',
  supervisor: 'supervisors',
  admin: 'admins',
};

export function requireRole(principal: Principal, roles: Role[], action: string): void {
  if (principal.role !== null && roles.includes(principal.role)) return;
  const who = principal.role ?? 'a system';
  throw new ApiError(
    'forbidden',
    `only ${roles.map((r) => roleNames[r]).join(' and ')} can ${action}; you are ${who}`,
  );
}

const rank: Record<PermissionLevel, number> = { view: 1, manage: 2 };

/** Admins hold manage everywhere and supervisors view everywhere; others need a grant. */
export function levelOn(
  repo: Repository,
  caseId: string,
  principal: Principal,
): PermissionLevel | undefined {
  if (principal.role === 'admin') return 'manage';
  const granted = repo.permissionOf(caseId, principal.id);
  if (principal.role === 'supervisor' && granted === undefined) return 'view';
  return granted;
}

export function hasLevel(
  repo: Repository,
  caseId: string,
  principal: Principal,
  needed: PermissionLevel,
): boolean {
  const level = levelOn(repo, caseId, principal);
  return level !== undefined && rank[level] >= rank[needed];
}

/**
 * A case with the caller's own permission on it, so a client can tell before attaching
 * evidence (which needs manage) instead of failing at the upload.
 */
export function viewOf(repo: Repository, found: Case, principal: Principal): CaseView {
  return { ...found, access: levelOn(repo, found.id, principal) ?? 'view' };
}

/** The case, if it exists and the principal holds `needed` on it. */
export function requireCase(
  repo: Repository,
  caseId: string,
  principal: Principal,
  needed: PermissionLevel,
): Case {
  const found = repo.getCase(caseId);
  if (!found) throw new ApiError('not_found', `no case ${caseId} — check the case id`);
  if (!hasLevel(repo, caseId, principal, needed)) {
    throw new ApiError(
      'forbidden',
      `${needed} permission on case ${caseId} is needed — ask someone who manages the case to grant it`,
    );
  }
  return found;
}
