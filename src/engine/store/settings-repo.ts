import type { StatementSync } from 'node:sqlite';
import { type ZodType, z } from 'zod';
import type { Store } from './database.ts';

export type SettingProblem = { key: string; reason: string };

export type SettingEntry = { key: string; value: unknown; updatedAt: string };

export type SettingsRepoOptions = {
  now?: () => Date;
  /**
   * Told about stored values that no longer parse (hand-edited file, older shape). The engine
   * passes its logger; the default is a process warning so the problem is never silent.
   */
  onInvalid?: (problem: SettingProblem) => void;
};

/** Key → JSON value, each value validated by the caller's schema on the way out. */
export class SettingsRepo {
  readonly #now: () => Date;
  readonly #onInvalid: (problem: SettingProblem) => void;
  readonly #select: StatementSync;
  readonly #selectAll: StatementSync;
  readonly #upsert: StatementSync;
  readonly #remove: StatementSync;

  constructor(store: Store, options: SettingsRepoOptions = {}) {
    this.#now = options.now ?? (() => new Date());
    this.#onInvalid =
      options.onInvalid ??
      ((problem) => process.emitWarning(`setting "${problem.key}" ignored: ${problem.reason}`));
    const { db } = store;
    this.#select = db.prepare('SELECT value FROM settings WHERE key = ?');
    this.#selectAll = db.prepare('SELECT key, value, updated_at FROM settings ORDER BY key');
    this.#upsert = db.prepare(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.#remove = db.prepare('DELETE FROM settings WHERE key = ?');
  }

  /** The stored value if it satisfies `schema`; a value that does not is reported, not thrown. */
  get<T>(key: string, schema: ZodType<T>): T | undefined {
    const row = this.#select.get(key);
    if (row === undefined) return undefined;
    const raw = this.#parse(key, String(row.value));
    if (!raw.ok) return undefined;
    const result = schema.safeParse(raw.value);
    if (!result.success) {
      this.#onInvalid({ key, reason: z.prettifyError(result.error) });
      return undefined;
    }
    return result.data;
  }

  set(key: string, value: unknown): void {
    const json = JSON.stringify(value);
    if (json === undefined) {
      throw new TypeError(`setting "${key}" needs a JSON value; use delete() to clear it`);
    }
    this.#upsert.run(key, json, this.#now().toISOString());
  }

  /** Returns whether there was a value to delete. */
  delete(key: string): boolean {
    return Number(this.#remove.run(key).changes) > 0;
  }

  /** Every readable setting, by key; unreadable ones are reported and left out. */
  all(): SettingEntry[] {
    const entries: SettingEntry[] = [];
    for (const row of this.#selectAll.all()) {
      const key = String(row.key);
      const parsed = this.#parse(key, String(row.value));
      if (parsed.ok) entries.push({ key, value: parsed.value, updatedAt: String(row.updated_at) });
    }
    return entries;
  }

  #parse(key: string, text: string): { ok: true; value: unknown } | { ok: false } {
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch (err) {
      this.#onInvalid({ key, reason: `stored value is not JSON (${(err as Error).message})` });
      return { ok: false };
    }
  }
}
