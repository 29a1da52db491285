/**
 * Reads a config file into a plain JSON object, or says in one issue why the file as a whole
 * cannot be used: missing, a folder, unreadable, too big, empty, not JSON, not an object.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { formatBytes } from '../core/format.ts';
import { type ConfigIssue, FILE_PATH } from './errors.ts';
import { findJsonSyntaxError } from './json-syntax.ts';

/** 1 MiB, as the too-big message says. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export type ReadResult =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; issue: ConfigIssue };

const fileIssue = (message: string, fix: string, value = ''): ReadResult => ({
  ok: false,
  issue: { path: FILE_PATH, value, message, fix },
});

const errorCode = (error: unknown): string | undefined =>
  error instanceof Error && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;

function systemIssue(error: unknown, file: string): ReadResult {
  const code = errorCode(error);
  if (code === 'ENOENT') {
    return fileIssue(
      'file not found',
      'check the path, or pass --config FILE (or set CUSTODY_CONFIG); config.example.json is a start',
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return fileIssue(
      'cannot be read (permission denied)',
      `let this user read it (chmod u+r ${file}) or run custody as its owner`,
    );
  }
  if (code === 'ENOTDIR') {
    return fileIssue('a part of the path is a file, not a folder', 'check the path');
  }
  if (code === 'ELOOP')
    return fileIssue('is a symbolic link loop', 'point --config at the real file');
  return fileIssue(
    `cannot be read (${code ?? (error instanceof Error ? error.message : String(error))})`,
    'check the file and the disk it is on',
  );
}

/** Reads at most `limit + 1` bytes, so a huge file is refused without loading it. */
function readCapped(file: string, limit: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0 || length + n >= buffer.length) return buffer.subarray(0, length + n);
      length += n;
    }
  } finally {
    closeSync(fd);
  }
}

const tooBig = (size: number): ReadResult =>
  fileIssue(
    `config file is ${formatBytes(size)}; a config is at most 1 MiB`,
    'point --config at the JSON config file (this looks like something else)',
  );

function parseJson(text: string): ReadResult {
  if (text.trim() === '') {
    return fileIssue(
      'is empty',
      'write a JSON object such as {"workstation": {"name": "Front desk"}}, or copy config.example.json',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const found = findJsonSyntaxError(text);
    if (!found)
      return fileIssue(`is not valid JSON: ${(error as Error).message}`, 'fix the JSON syntax');
    const at = `line ${found.line}, column ${found.column}`;
    return fileIssue(`is not valid JSON: ${at}: ${found.message}`, found.fix);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = Array.isArray(value) ? 'a list [ … ]' : value === null ? 'null' : typeof value;
    return fileIssue(
      `must hold a JSON object { … } at the top level, not ${kind}`,
      'wrap the settings in { }, e.g. {"workstation": {"name": "Front desk"}}',
    );
  }
  return { ok: true, value: value as Record<string, unknown> };
}

export function readConfigJson(file: string): ReadResult {
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) {
      return fileIssue(
        'is a folder, not a config file',
        `pass the JSON file, e.g. --config ${path.join(file, 'config.json')}`,
      );
    }
    // A FIFO or device would block or never end; only regular files are configs.
    if (!stat.isFile()) return fileIssue('is not a regular file', 'pass a JSON file');
    if (stat.size > MAX_CONFIG_BYTES) return tooBig(stat.size);
    const bytes = readCapped(file, MAX_CONFIG_BYTES);
    if (bytes.length > MAX_CONFIG_BYTES) return tooBig(bytes.length);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return fileIssue('is not UTF-8 text', 'save the file as UTF-8');
    }
    return parseJson(text);
  } catch (error) {
    return systemIssue(error, file);
  }
}
