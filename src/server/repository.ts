/**
 * The service's records, behind an interface small enough that a PostgreSQL implementation
 * can take over from SQLite (DESIGN.md, Scale). Evidence bytes are not here: they live behind
 * the tus DataStore. Methods are synchronous because node:sqlite is; an async store would wrap
 * the routes, not change their logic.
 */
import type {
  Actor,
  AuditAction,
  AuditEntry,
  Camera,
  Case,
  CaseInput,
  Category,
  Decision,
  Department,
  Evidence,
  PermissionLevel,
  Principal,
  PrincipalKind,
  RegisteredCamera,
  RequestCreate,
  RequestState,
  Role,
  VideoRequest,
} from '../protocol/service.ts';

export type NewPrincipal = { kind: PrincipalKind; name: string; role: Role | null };
export type NewCase = Required<Omit<CaseInput, 'categoryId'>> & {
  categoryId: string | null;
  createdBy: Actor;
};
export type NewRequest = RequestCreate & { createdBy: Actor; expiresAt: string };
export type RequestChange = {
  state: RequestState;
  decision?: Decision;
  failureReason?: string;
};
export type RequestFilter = {
  systemId?: string;
  createdBy?: string;
  after: number;
  limit: number;
};
export type NewEvidence = Omit<Evidence, 'id' | 'createdAt'> & { storageId: string };
export type StoredEvidence = Evidence & { storageId: string };
/** What a finished tus upload became: new evidence, or a duplicate of evidence in the case. */
export type UploadOutcome = {
  uploadId: string;
  uploaderId: string;
  evidenceId: string;
  duplicate: boolean;
};
export type NewAuditEntry = {
  caseId: string;
  actor: Actor | null;
  action: AuditAction;
  detail: Record<string, unknown>;
};

export interface Repository {
  createPrincipal(input: NewPrincipal): Principal;
  getPrincipal(id: string): Principal | undefined;
  listPrincipals(kind?: PrincipalKind): Principal[];
  setActive(id: string, active: boolean): boolean;
  /** Only the hash is stored; the key itself is shown once to whoever asked for it. */
  addKey(principalId: string, keyHash: string): void;
  /** The holder of a key that has not been revoked. */
  principalByKeyHash(keyHash: string): Principal | undefined;
  revokeKeys(principalId: string): number;

  listDepartments(): Department[];
  getDepartment(id: string): Department | undefined;
  defaultDepartment(): Department;
  createDepartment(name: string, isDefault: boolean): Department;
  listCategories(): Category[];
  getCategory(id: string): Category | undefined;
  createCategory(name: string): Category;

  createCase(input: NewCase): Case;
  getCase(id: string): Case | undefined;
  /** Every case, or only those the principal holds a permission on. */
  listCases(principalId?: string): Case[];
  grant(caseId: string, principalId: string, level: PermissionLevel): void;
  permissionOf(caseId: string, principalId: string): PermissionLevel | undefined;

  replaceCameras(systemId: string, cameras: Camera[]): void;
  listCameras(systemId?: string): RegisteredCamera[];

  createRequest(systemId: string, input: NewRequest): VideoRequest;
  getRequest(id: string): VideoRequest | undefined;
  /** Moves the request to a new cursor so feeds and catch-up see the change. */
  changeRequest(id: string, change: RequestChange): VideoRequest;
  listRequests(filter: RequestFilter): VideoRequest[];
  /** Undecided requests whose expiry has passed. */
  dueToExpire(now: string): VideoRequest[];

  addEvidence(input: NewEvidence): StoredEvidence;
  getEvidence(id: string): StoredEvidence | undefined;
  findEvidence(caseId: string, sha256: string): StoredEvidence | undefined;
  listEvidence(filter: { caseId: string } | { requestId: string }): StoredEvidence[];
  recordUploadResult(result: UploadOutcome): void;
  getUploadResult(uploadId: string): UploadOutcome | undefined;

  addAudit(entry: NewAuditEntry): void;
  listAudit(caseId: string): AuditEntry[];

  transaction<T>(work: () => T): T;
  close(): void;
}
