import type { Case, Principal } from '../protocol/service.ts';
import type { NewCase, Repository } from './repository.ts';

/** A new case is managed by whoever opened it, from the first audit entry on. */
export function openCase(
  repo: Repository,
  input: Omit<NewCase, 'createdBy'>,
  owner: Principal,
): Case {
  return repo.transaction(() => {
    const found = repo.createCase({ ...input, createdBy: owner });
    repo.grant(found.id, owner.id, 'manage');
    repo.addAudit({
      caseId: found.id,
      actor: owner,
      action: 'case.created',
      detail: { name: found.name },
    });
    return found;
  });
}

/** Gives a workstation manage on a case (it files requested footage there), on the record. */
export function grantSystem(
  repo: Repository,
  caseId: string,
  systemId: string,
  by: Principal,
): void {
  repo.grant(caseId, systemId, 'manage');
  repo.addAudit({
    caseId,
    actor: by,
    action: 'case.granted',
    detail: { principalId: systemId, level: 'manage' },
  });
}
