import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import { openStore, type Store, transaction } from '../engine/store/database.ts';
import type { Migration } from '../engine/store/migrations.ts';
import type {
  AuditEntry,
  Camera,
  Case,
  Category,
  Department,
  PermissionLevel,
  Principal,
  PrincipalKind,
  RegisteredCamera,
  VideoRequest,
} from '../protocol/service.ts';
import {
  auditEntrySchema,
  caseSchema,
  evidenceSchema,
  principalSchema,
  registeredCameraSchema,
  videoRequestSchema,
} from '../protocol/service.ts';
import type {
  NewAuditEntry,
  NewCase,
  NewEvidence,
  NewPrincipal,
  NewRequest,
  Repository,
  RequestChange,
  RequestFilter,
  StoredEvidence,
  UploadOutcome,
} from './repository.ts';

/** Append only, like the engine's: a released step is never edited. */
const migrations: Migration[] = [
  {
    version: 1,
    name: 'service records',
    up: (db) => {
      db.exec(`
        CREATE TABLE IF NOT EXISTS principals (
          id         TEXT PRIMARY KEY,
          kind       TEXT NOT NULL CHECK (kind IN ('user', 'system')),
          name       TEXT NOT NULL,
          role       TEXT CHECK (role IN ('investigator', 'supervisor', 'admin')),
          active     INTEGER NOT NULL DEFAULT 1,
          created_at TEXT NOT NULL
        ) STRICT;
        CREATE TABLE IF NOT EXISTS api_keys (
          hash         TEXT PRIMARY KEY,
          principal_id TEXT NOT NULL REFERENCES principals (id),
          created_at   TEXT NOT NULL,
          revoked_at   TEXT
        ) STRICT;
        CREATE TABLE IF NOT EXISTS departments (
          id         TEXT PRIMARY KEY,
          name       TEXT NOT NULL UNIQUE,
          is_default INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        CREATE TABLE IF NOT EXISTS categories (
          id   TEXT PRIMARY KEY,
          name TEXT NOT NULL UNIQUE
        ) STRICT;
        CREATE TABLE IF NOT EXISTS cases (
          id            TEXT PRIMARY KEY,
          name          TEXT NOT NULL,
          department_id TEXT NOT NULL REFERENCES departments (id),
          category_id   TEXT REFERENCES categories (id),
          description   TEXT NOT NULL,
          info          TEXT NOT NULL,
          created_by    TEXT NOT NULL REFERENCES principals (id),
          created_at    TEXT NOT NULL
        ) STRICT;
        CREATE TABLE IF NOT EXISTS case_permissions (
          case_id      TEXT NOT NULL REFERENCES cases (id),
          principal_id TEXT NOT NULL REFERENCES principals (id),
          level        TEXT NOT NULL CHECK (level IN ('view', 'manage')),
          PRIMARY KEY (case_id, principal_id)
        ) STRICT;
        CREATE TABLE IF NOT EXISTS cameras (
          system_id  TEXT NOT NULL REFERENCES principals (id),
          id         TEXT NOT NULL,
          name       TEXT NOT NULL,
          location   TEXT NOT NULL,
          status     TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          PRIMARY KEY (system_id, id)
        ) STRICT;
        CREATE TABLE IF NOT EXISTS requests (
          id             TEXT PRIMARY KEY,
          cursor         INTEGER NOT NULL UNIQUE,
          system_id      TEXT NOT NULL REFERENCES principals (id),
          case_id        TEXT NOT NULL REFERENCES cases (id),
          cameras        TEXT NOT NULL,
          time_from      TEXT NOT NULL,
          time_to        TEXT NOT NULL,
          reason         TEXT NOT NULL,
          state          TEXT NOT NULL,
          created_by     TEXT NOT NULL REFERENCES principals (id),
          created_at     TEXT NOT NULL,
          updated_at     TEXT NOT NULL,
          expires_at     TEXT NOT NULL,
          decision       TEXT,
          failure_reason TEXT
        ) STRICT;
        CREATE INDEX IF NOT EXISTS requests_system ON requests (system_id, cursor);
        CREATE INDEX IF NOT EXISTS requests_creator ON requests (created_by, cursor);
        CREATE TABLE IF NOT EXISTS evidence (
          id              TEXT PRIMARY KEY,
          case_id         TEXT NOT NULL REFERENCES cases (id),
          kind            TEXT NOT NULL,
          filename        TEXT NOT NULL,
          size            INTEGER NOT NULL,
          sha256          TEXT NOT NULL,
          camera_id       TEXT,
          camera_name     TEXT,
          camera_location TEXT,
          time_from       TEXT,
          time_to         TEXT,
          request_id      TEXT REFERENCES requests (id),
          uploaded_by     TEXT NOT NULL REFERENCES principals (id),
          storage_id      TEXT NOT NULL,
          created_at      TEXT NOT NULL,
          UNIQUE (case_id, sha256)
        ) STRICT;
        CREATE INDEX IF NOT EXISTS evidence_request ON evidence (request_id);
        CREATE TABLE IF NOT EXISTS audit (
          seq      INTEGER PRIMARY KEY,
          case_id  TEXT NOT NULL REFERENCES cases (id),
          time     TEXT NOT NULL,
          actor_id TEXT REFERENCES principals (id),
          action   TEXT NOT NULL,
          detail   TEXT NOT NULL
        ) STRICT;
        CREATE INDEX IF NOT EXISTS audit_case ON audit (case_id, seq);
      `);
    },
  },
  {
    version: 2,
    name: 'upload results',
    up: (db) => {
      // What each finished upload became, so an uploader that lost the answer can ask again.
      db.exec(`
        CREATE TABLE IF NOT EXISTS upload_results (
          upload_id   TEXT PRIMARY KEY,
          uploader_id TEXT NOT NULL REFERENCES principals (id),
          evidence_id TEXT NOT NULL REFERENCES evidence (id),
          duplicate   INTEGER NOT NULL
        ) STRICT;
      `);
    },
  },
  {
    version: 3,
    name: 'evidence name and description',
    up: (db) => {
      // Evidence filed before has neither (NULL). ALTER has no IF NOT EXISTS: the step's own
      // transaction, which also sets the version, makes it all or nothing.
      db.exec(`
        ALTER TABLE evidence ADD COLUMN name TEXT;
        ALTER TABLE evidence ADD COLUMN description TEXT;
      `);
    },
  },
];

type Row = Record<string, SQLOutputValue>;

const str = (value: SQLOutputValue | undefined): string => String(value);
const strOrNull = (value: SQLOutputValue | undefined): string | null =>
  value === null || value === undefined ? null : String(value);

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}

/** `<dataDir>/records/custody.db`, next to `<dataDir>/uploads` that holds the bytes. */
export class SqliteRepository implements Repository {
  readonly #store: Store;
  readonly #db: DatabaseSync;
  readonly #now: () => Date;

  constructor(dataDir: string, options: { now?: () => Date } = {}) {
    this.#store = openStore(path.join(dataDir, 'records'), { migrations });
    this.#db = this.#store.db;
    this.#now = options.now ?? (() => new Date());
    // A service must always have somewhere to put a case that names no department.
    this.transaction(() => {
      if (this.#db.prepare('SELECT 1 FROM departments WHERE is_default = 1').get() === undefined) {
        this.createDepartment('General', true);
      }
    });
  }

  #time(): string {
    return this.#now().toISOString();
  }

  // Accounts

  createPrincipal(input: NewPrincipal): Principal {
    const principal: Principal = {
      id: newId(input.kind === 'user' ? 'usr' : 'sys'),
      kind: input.kind,
      name: input.name,
      role: input.role,
      active: true,
      createdAt: this.#time(),
    };
    this.#db
      .prepare(
        'INSERT INTO principals (id, kind, name, role, active, created_at) VALUES (?, ?, ?, ?, 1, ?)',
      )
      .run(principal.id, principal.kind, principal.name, principal.role, principal.createdAt);
    return principal;
  }

  getPrincipal(id: string): Principal | undefined {
    const row = this.#db.prepare('SELECT * FROM principals WHERE id = ?').get(id);
    return row && toPrincipal(row);
  }

  listPrincipals(kind?: PrincipalKind): Principal[] {
    const rows = kind
      ? this.#db.prepare('SELECT * FROM principals WHERE kind = ? ORDER BY created_at').all(kind)
      : this.#db.prepare('SELECT * FROM principals ORDER BY created_at').all();
    return rows.map(toPrincipal);
  }

  setActive(id: string, active: boolean): boolean {
    const result = this.#db
      .prepare('UPDATE principals SET active = ? WHERE id = ?')
      .run(active ? 1 : 0, id);
    return Number(result.changes) > 0;
  }

  addKey(principalId: string, keyHash: string): void {
    this.#db
      .prepare('INSERT INTO api_keys (hash, principal_id, created_at) VALUES (?, ?, ?)')
      .run(keyHash, principalId, this.#time());
  }

  principalByKeyHash(keyHash: string): Principal | undefined {
    const row = this.#db
      .prepare(
        `SELECT p.* FROM api_keys k JOIN principals p ON p.id = k.principal_id
         WHERE k.hash = ? AND k.revoked_at IS NULL`,
      )
      .get(keyHash);
    return row && toPrincipal(row);
  }

  revokeKeys(principalId: string): number {
    const result = this.#db
      .prepare('UPDATE api_keys SET revoked_at = ? WHERE principal_id = ? AND revoked_at IS NULL')
      .run(this.#time(), principalId);
    return Number(result.changes);
  }

  // Departments and categories

  listDepartments(): Department[] {
    return this.#db.prepare('SELECT * FROM departments ORDER BY name').all().map(toDepartment);
  }

  getDepartment(id: string): Department | undefined {
    const row = this.#db.prepare('SELECT * FROM departments WHERE id = ?').get(id);
    return row && toDepartment(row);
  }

  defaultDepartment(): Department {
    const row = this.#db.prepare('SELECT * FROM departments WHERE is_default = 1').get();
    if (!row) throw new Error('no default department: the constructor creates one');
    return toDepartment(row);
  }

  createDepartment(name: string, isDefault: boolean): Department {
    const department = { id: newId('dep'), name, isDefault };
    this.transaction(() => {
      if (isDefault) this.#db.prepare('UPDATE departments SET is_default = 0').run();
      this.#db
        .prepare('INSERT INTO departments (id, name, is_default) VALUES (?, ?, ?)')
        .run(department.id, name, isDefault ? 1 : 0);
    });
    return department;
  }

  listCategories(): Category[] {
    return this.#db.prepare('SELECT * FROM categories ORDER BY name').all().map(toCategory);
  }

  getCategory(id: string): Category | undefined {
    const row = this.#db.prepare('SELECT * FROM categories WHERE id = ?').get(id);
    return row && toCategory(row);
  }

  createCategory(name: string): Category {
    const category = { id: newId('cat'), name };
    this.#db.prepare('INSERT INTO categories (id, name) VALUES (?, ?)').run(category.id, name);
    return category;
  }

  // Cases

  createCase(input: NewCase): Case {
    const id = newId('case');
    this.#db
      .prepare(
        `INSERT INTO cases (id, name, department_id, category_id, description, info, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.name,
        input.departmentId,
        input.categoryId,
        input.description,
        JSON.stringify(input.info),
        input.createdBy.id,
        this.#time(),
      );
    return this.getCase(id) as Case;
  }

  getCase(id: string): Case | undefined {
    const row = this.#db.prepare(`${caseSelect} WHERE c.id = ?`).get(id);
    return row && toCase(row);
  }

  listCases(principalId?: string): Case[] {
    const rows = principalId
      ? this.#db
          .prepare(
            `${caseSelect} JOIN case_permissions cp ON cp.case_id = c.id
             WHERE cp.principal_id = ? ORDER BY c.created_at`,
          )
          .all(principalId)
      : this.#db.prepare(`${caseSelect} ORDER BY c.created_at`).all();
    return rows.map(toCase);
  }

  grant(caseId: string, principalId: string, level: PermissionLevel): void {
    this.#db
      .prepare(
        `INSERT INTO case_permissions (case_id, principal_id, level) VALUES (?, ?, ?)
         ON CONFLICT (case_id, principal_id) DO UPDATE SET level = excluded.level`,
      )
      .run(caseId, principalId, level);
  }

  permissionOf(caseId: string, principalId: string): PermissionLevel | undefined {
    const row = this.#db
      .prepare('SELECT level FROM case_permissions WHERE case_id = ? AND principal_id = ?')
      .get(caseId, principalId);
    return row ? (str(row.level) as PermissionLevel) : undefined;
  }

  // Cameras

  replaceCameras(systemId: string, cameras: Camera[]): void {
    const now = this.#time();
    this.transaction(() => {
      this.#db.prepare('DELETE FROM cameras WHERE system_id = ?').run(systemId);
      const insert = this.#db.prepare(
        `INSERT INTO cameras (system_id, id, name, location, status, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      );
      for (const c of cameras) insert.run(systemId, c.id, c.name, c.location, c.status, now);
    });
  }

  listCameras(systemId?: string): RegisteredCamera[] {
    const select = `SELECT c.*, p.name AS system_name FROM cameras c
                    JOIN principals p ON p.id = c.system_id`;
    const rows = systemId
      ? this.#db.prepare(`${select} WHERE c.system_id = ? ORDER BY c.id`).all(systemId)
      : this.#db.prepare(`${select} ORDER BY p.name, c.id`).all();
    return rows.map((row) =>
      registeredCameraSchema.parse({
        id: row.id,
        name: row.name,
        location: row.location,
        status: row.status,
        systemId: row.system_id,
        systemName: row.system_name,
        updatedAt: row.updated_at,
      }),
    );
  }

  // Requests

  createRequest(systemId: string, input: NewRequest): VideoRequest {
    const id = newId('req');
    const now = this.#time();
    this.transaction(() => {
      this.#db
        .prepare(
          `INSERT INTO requests (id, cursor, system_id, case_id, cameras, time_from, time_to, reason,
             state, created_by, created_at, updated_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'received', ?, ?, ?, ?)`,
        )
        .run(
          id,
          this.#nextCursor(),
          systemId,
          input.caseId,
          JSON.stringify(input.cameras),
          input.from,
          input.to,
          input.reason,
          input.createdBy.id,
          now,
          now,
          input.expiresAt,
        );
    });
    return this.getRequest(id) as VideoRequest;
  }

  getRequest(id: string): VideoRequest | undefined {
    const row = this.#db.prepare(`${requestSelect} WHERE r.id = ?`).get(id);
    return row && toRequest(row);
  }

  changeRequest(id: string, change: RequestChange): VideoRequest {
    this.transaction(() => {
      const sets = ['cursor = ?', 'state = ?', 'updated_at = ?'];
      const values: (string | number | null)[] = [this.#nextCursor(), change.state, this.#time()];
      if (change.decision) {
        sets.push('decision = ?');
        values.push(JSON.stringify(change.decision));
      }
      if (change.failureReason !== undefined) {
        sets.push('failure_reason = ?');
        values.push(change.failureReason);
      }
      this.#db.prepare(`UPDATE requests SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
    });
    return this.getRequest(id) as VideoRequest;
  }

  listRequests(filter: RequestFilter): VideoRequest[] {
    const where = ['r.cursor > ?'];
    const values: (string | number)[] = [filter.after];
    if (filter.systemId) {
      where.push('r.system_id = ?');
      values.push(filter.systemId);
    }
    if (filter.createdBy) {
      where.push('r.created_by = ?');
      values.push(filter.createdBy);
    }
    return this.#db
      .prepare(`${requestSelect} WHERE ${where.join(' AND ')} ORDER BY r.cursor LIMIT ?`)
      .all(...values, filter.limit)
      .map(toRequest);
  }

  dueToExpire(now: string): VideoRequest[] {
    return this.#db
      .prepare(
        `${requestSelect} WHERE r.state IN ('received', 'exporting', 'held') AND r.expires_at <= ?
         ORDER BY r.cursor`,
      )
      .all(now)
      .map(toRequest);
  }

  #nextCursor(): number {
    const row = this.#db.prepare('SELECT coalesce(max(cursor), 0) + 1 AS next FROM requests').get();
    return Number(row?.next);
  }

  // Evidence

  addEvidence(input: NewEvidence): StoredEvidence {
    const id = newId('ev');
    this.#db
      .prepare(
        `INSERT INTO evidence (id, case_id, kind, filename, name, description, size, sha256,
           camera_id, camera_name, camera_location, time_from, time_to, request_id, uploaded_by,
           storage_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.caseId,
        input.kind,
        input.filename,
        input.name,
        input.description,
        input.size,
        input.sha256,
        input.cameraId,
        input.cameraName,
        input.cameraLocation,
        input.from,
        input.to,
        input.requestId,
        input.uploadedBy.id,
        input.storageId,
        this.#time(),
      );
    return this.getEvidence(id) as StoredEvidence;
  }

  getEvidence(id: string): StoredEvidence | undefined {
    const row = this.#db.prepare(`${evidenceSelect} WHERE e.id = ?`).get(id);
    return row && toEvidence(row);
  }

  findEvidence(caseId: string, sha256: string): StoredEvidence | undefined {
    const row = this.#db
      .prepare(`${evidenceSelect} WHERE e.case_id = ? AND e.sha256 = ?`)
      .get(caseId, sha256);
    return row && toEvidence(row);
  }

  recordUploadResult(result: UploadOutcome): void {
    this.#db
      .prepare(
        'INSERT INTO upload_results (upload_id, uploader_id, evidence_id, duplicate) VALUES (?, ?, ?, ?)',
      )
      .run(result.uploadId, result.uploaderId, result.evidenceId, result.duplicate ? 1 : 0);
  }

  getUploadResult(uploadId: string): UploadOutcome | undefined {
    const row = this.#db.prepare('SELECT * FROM upload_results WHERE upload_id = ?').get(uploadId);
    return (
      row && {
        uploadId: str(row.upload_id),
        uploaderId: str(row.uploader_id),
        evidenceId: str(row.evidence_id),
        duplicate: row.duplicate === 1,
      }
    );
  }

  listEvidence(filter: { caseId: string } | { requestId: string }): StoredEvidence[] {
    const [column, value] =
      'caseId' in filter ? ['case_id', filter.caseId] : ['request_id', filter.requestId];
    return this.#db
      .prepare(`${evidenceSelect} WHERE e.${column} = ? ORDER BY e.created_at, e.id`)
      .all(value)
      .map(toEvidence);
  }

  // Audit trail

  addAudit(entry: NewAuditEntry): void {
    this.#db
      .prepare('INSERT INTO audit (case_id, time, actor_id, action, detail) VALUES (?, ?, ?, ?, ?)')
      .run(
        entry.caseId,
        this.#time(),
        entry.actor?.id ?? null,
        entry.action,
        JSON.stringify(entry.detail),
      );
  }

  listAudit(caseId: string): AuditEntry[] {
    return this.#db
      .prepare(
        `SELECT a.*, p.kind AS actor_kind, p.name AS actor_name FROM audit a
         LEFT JOIN principals p ON p.id = a.actor_id WHERE a.case_id = ? ORDER BY a.seq`,
      )
      .all(caseId)
      .map((row) =>
        auditEntrySchema.parse({
          seq: Number(row.seq),
          caseId: row.case_id,
          time: row.time,
          actor:
            row.actor_id === null
              ? null
              : { id: row.actor_id, kind: row.actor_kind, name: row.actor_name },
          action: row.action,
          detail: JSON.parse(str(row.detail)),
        }),
      );
  }

  /** Nested calls join the outer transaction. */
  transaction<T>(work: () => T): T {
    return transaction(this.#db, work);
  }

  close(): void {
    this.#store.close();
  }
}

const caseSelect = `SELECT c.*, p.kind AS creator_kind, p.name AS creator_name FROM cases c
                    JOIN principals p ON p.id = c.created_by`;
const requestSelect = `SELECT r.*, p.kind AS creator_kind, p.name AS creator_name FROM requests r
                       JOIN principals p ON p.id = r.created_by`;
const evidenceSelect = `SELECT e.*, p.kind AS uploader_kind, p.name AS uploader_name FROM evidence e
                        JOIN principals p ON p.id = e.uploaded_by`;

/** Rows are parsed with the protocol schemas so a bad row fails here, not on the wire. */
function toPrincipal(row: Row): Principal {
  return principalSchema.parse({
    id: row.id,
    kind: row.kind,
    name: row.name,
    role: row.role,
    active: row.active === 1,
    createdAt: row.created_at,
  });
}

function toDepartment(row: Row): Department {
  return { id: str(row.id), name: str(row.name), isDefault: row.is_default === 1 };
}

function toCategory(row: Row): Category {
  return { id: str(row.id), name: str(row.name) };
}

function toCase(row: Row): Case {
  return caseSchema.parse({
    id: row.id,
    name: row.name,
    departmentId: row.department_id,
    categoryId: row.category_id,
    description: row.description,
    info: JSON.parse(str(row.info)),
    createdBy: { id: row.created_by, kind: row.creator_kind, name: row.creator_name },
    createdAt: row.created_at,
  });
}

function toRequest(row: Row): VideoRequest {
  return videoRequestSchema.parse({
    id: row.id,
    cursor: Number(row.cursor),
    systemId: row.system_id,
    caseId: row.case_id,
    cameras: JSON.parse(str(row.cameras)),
    from: row.time_from,
    to: row.time_to,
    reason: row.reason,
    state: row.state,
    createdBy: { id: row.created_by, kind: row.creator_kind, name: row.creator_name },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
    decision: row.decision === null ? null : JSON.parse(str(row.decision)),
    failureReason: strOrNull(row.failure_reason),
  });
}

function toEvidence(row: Row): StoredEvidence {
  return {
    ...evidenceSchema.parse({
      id: row.id,
      caseId: row.case_id,
      kind: row.kind,
      filename: row.filename,
      name: row.name,
      description: row.description,
      size: Number(row.size),
      sha256: row.sha256,
      cameraId: row.camera_id,
      cameraName: row.camera_name,
      cameraLocation: row.camera_location,
      from: row.time_from,
      to: row.time_to,
      requestId: row.request_id,
      uploadedBy: { id: row.uploaded_by, kind: row.uploader_kind, name: row.uploader_name },
      createdAt: row.created_at,
    }),
    storageId: str(row.storage_id),
  };
}
