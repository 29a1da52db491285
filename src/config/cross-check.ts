/**
 * Checks that span several fields: unique ids, references between sections, sources that
 * share a folder. They run even when some fields failed their own checks (so the operator
 * sees every problem at once), which is why they read the value as unknown and skip
 * whatever is not well formed: those fields already have their own issue.
 */
import path from 'node:path';
import type { z } from 'zod';
import { normalizePath } from './fields.ts';

type Ctx = z.core.$RefinementCtx<unknown>;
type Item = { index: number; item: Record<string, unknown> };
type Key = string | number;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function items(root: Record<string, unknown>, key: string): Item[] {
  const list = root[key];
  if (!Array.isArray(list)) return [];
  return list.flatMap((item, index) => (isRecord(item) ? [{ index, item }] : []));
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/** `use "a"` or `use one of "a", "b"`. */
function oneOfFix(values: Iterable<string>): string {
  const list = [...values].map((value) => JSON.stringify(value));
  return list.length === 1 ? `use ${list[0]}` : `use one of ${list.join(', ')}`;
}

function report(ctx: Ctx, path: Key[], message: string, fix: string): void {
  ctx.addIssue({ code: 'custom', path, message, params: { fix } });
}

function checkUnique(
  ctx: Ctx,
  root: Record<string, unknown>,
  list: string,
  key: string,
  what: string,
) {
  const seen = new Map<string, number>();
  for (const { index, item } of items(root, list)) {
    const value = text(item[key]);
    if (value === undefined) continue;
    const first = seen.get(value);
    if (first === undefined) {
      seen.set(value, index);
      continue;
    }
    report(
      ctx,
      [list, index, key],
      `${what} ${JSON.stringify(value)} is already used by ${list}[${first}]`,
      `give each ${what} a different ${key}`,
    );
  }
}

function checkDestinations(ctx: Ctx, root: Record<string, unknown>): void {
  const known = new Set(['service']);
  for (const { index, item } of items(root, 'destinations')) {
    const id = text(item.id);
    if (id === undefined) continue;
    if (id === 'service' && item.kind !== 'service') {
      report(
        ctx,
        ['destinations', index, 'id'],
        'id "service" is reserved for the evidence service',
        'choose another id, e.g. "archive"',
      );
    }
    known.add(id);
  }
  for (const list of ['docks', 'syncFolders']) {
    for (const { index, item } of items(root, list)) {
      const destination = text(item.destination);
      if (destination === undefined || known.has(destination)) continue;
      report(
        ctx,
        [list, index, 'destination'],
        `names destination ${JSON.stringify(destination)}, which is not defined`,
        `${oneOfFix(known)}, or add a destination with id ${JSON.stringify(destination)}`,
      );
    }
  }
}

/**
 * Moving or deleting a source is safe only once the destination confirmed its SHA-256
 * (DESIGN.md, Upload job): the service and an archive do, a plain tus endpoint only tells
 * how many bytes it holds.
 */
function checkAfterUpload(ctx: Ctx, root: Record<string, unknown>): void {
  const destinations = items(root, 'destinations');
  const idsOf = (kind: string) =>
    destinations.flatMap(({ item }) => (item.kind === kind ? (text(item.id) ?? []) : []));
  const plainTus = new Set(idsOf('tus'));
  const hashChecked = ['service', ...idsOf('archive')].map((id) => JSON.stringify(id)).join(' or ');
  for (const list of ['docks', 'syncFolders']) {
    for (const { index, item } of items(root, list)) {
      const after = item.afterUpload;
      const policy = isRecord(after) ? after.policy : undefined;
      if (policy !== 'move' && policy !== 'delete') continue;
      const destination = text(item.destination);
      if (destination === undefined || !plainTus.has(destination)) continue;
      report(
        ctx,
        [list, index, 'afterUpload', 'policy'],
        `must be "keep" with destination ${JSON.stringify(destination)}: a plain tus endpoint confirms the size of an upload but not its SHA-256, so the source would be ${policy === 'move' ? 'moved' : 'deleted'} unchecked`,
        `use "keep", or send to the service or an archive, which check the hash: set ${list}[${index}].destination to ${hashChecked}`,
      );
    }
  }
}

function checkOperator(ctx: Ctx, root: Record<string, unknown>): void {
  const users = items(root, 'users');
  const operator = text(root.operator);
  if (operator === undefined) {
    if (users.length > 0 && users.every(({ item }) => item.active === false)) {
      report(
        ctx,
        ['users'],
        'has no active user for the console to act as',
        'set "active": true on one user',
      );
    }
    return;
  }
  const user = users.find(({ item }) => item.name === operator);
  const names = users.flatMap(({ item }) => text(item.name) ?? []);
  if (!user) {
    report(
      ctx,
      ['operator'],
      `names user ${JSON.stringify(operator)}, who is not in users`,
      names.length > 0 ? `${oneOfFix(names)}, or add that user` : 'add that user to users',
    );
  } else if (user.item.active === false) {
    report(
      ctx,
      ['operator'],
      `names user ${JSON.stringify(operator)}, who is not active`,
      `set users[${user.index}].active to true, or pick an active user`,
    );
  }
}

const inside = (child: string, parent: string): boolean =>
  child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : `${parent}${path.sep}`);

function checkSourceFolders(ctx: Ctx, root: Record<string, unknown>): void {
  const sources = [
    ...items(root, 'docks').map((entry) => ({ ...entry, list: 'docks', key: 'root' })),
    ...items(root, 'syncFolders').map((entry) => ({ ...entry, list: 'syncFolders', key: 'path' })),
  ];
  const seen = new Map<string, string>();
  for (const { index, item, list, key } of sources) {
    const folder = text(item[key]);
    if (folder === undefined || folder === '') continue;
    const normal = normalizePath(folder);
    const first = seen.get(normal);
    if (first !== undefined) {
      report(
        ctx,
        [list, index, key],
        `is the same folder as ${first}`,
        'give each dock and sync folder a folder of its own (a file would be uploaded twice)',
      );
    } else {
      seen.set(normal, `${list}[${index}].${key}`);
    }
    const after = item.afterUpload;
    const done = isRecord(after) ? text(after.doneFolder) : undefined;
    if (done !== undefined && done !== '' && inside(normalizePath(done), normal)) {
      report(
        ctx,
        [list, index, 'afterUpload', 'doneFolder'],
        `is inside the watched folder ${JSON.stringify(folder)}, so moved files would be found again`,
        'use a folder outside it, e.g. a sibling folder',
      );
    }
  }
}

function checkAutoApprove(ctx: Ctx, root: Record<string, unknown>): void {
  const requests = root.requests;
  if (!isRecord(requests)) return;
  const cameras = new Set(items(root, 'cameras').flatMap(({ item }) => text(item.id) ?? []));
  for (const { index, item } of items(requests, 'autoApprove')) {
    const camera = text(item.camera);
    if (camera === undefined || cameras.has(camera)) continue;
    report(
      ctx,
      ['requests', 'autoApprove', index, 'camera'],
      `names camera ${JSON.stringify(camera)}, which is not in cameras`,
      cameras.size > 0 ? oneOfFix(cameras) : 'add the camera to cameras first',
    );
  }
}

export function crossCheck(value: unknown, ctx: Ctx): void {
  if (!isRecord(value)) return;
  checkUnique(ctx, value, 'cameras', 'id', 'camera');
  checkUnique(ctx, value, 'destinations', 'id', 'destination');
  checkUnique(ctx, value, 'docks', 'id', 'dock');
  checkUnique(ctx, value, 'syncFolders', 'id', 'sync folder');
  checkUnique(ctx, value, 'users', 'name', 'user');
  checkDestinations(ctx, value);
  checkAfterUpload(ctx, value);
  checkOperator(ctx, value);
  checkSourceFolders(ctx, value);
  checkAutoApprove(ctx, value);
}
