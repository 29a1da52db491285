/**
 * What the loader needs to know about a config field beyond its type: whether it is a path
 * (resolved against the config file's folder and checked on disk) and how to fix a bad value.
 * Kept in a registry of its own so none of it leaks into the JSON Schema given to editors.
 */
import path from 'node:path';
import { z } from 'zod';

export type FieldInfo = {
  /** A path field: `folder` must not be a file, `file` must not be a folder. */
  path?: 'file' | 'folder';
  /** The folder itself may be created later, but its parent must exist now. */
  parentMustExist?: boolean;
  /** The fix shown for any problem with this field, given the bad value. */
  fix?: string | ((value: unknown) => string);
};

export const fieldInfo = z.registry<FieldInfo>();

export function withInfo<T extends z.ZodType>(schema: T, info: FieldInfo): T {
  fieldInfo.add(schema as z.ZodType, info);
  return schema;
}

const noNul = (text: string): boolean => !text.includes('\0');

function pathField(kind: 'file' | 'folder', description: string, info: FieldInfo = {}) {
  const schema = z
    .string()
    .min(1, 'must not be empty')
    .refine(noNul, 'contains a NUL byte, which no file system allows in a path')
    .describe(`${description}; a relative path is relative to this config file's folder`);
  return withInfo(schema, {
    path: kind,
    fix: `write the ${kind} path as plain text, e.g. "./${kind === 'folder' ? 'evidence' : 'file'}"`,
    ...info,
  });
}

export const filePath = (description: string, info?: FieldInfo) =>
  pathField('file', description, info);

export const folderPath = (description: string, info?: FieldInfo) =>
  pathField('folder', description, info);

/** Comparable form of a path as written, for spotting two sources on the same folder. */
export function normalizePath(text: string): string {
  const normal = path.normalize(text);
  return normal.length > 1 ? normal.replace(/[\\/]+$/, '') : normal;
}
