import { z } from 'zod';
import type { CaseChoice } from '../../protocol/control.ts';
import type { ServiceRestClient } from '../service/rest-client.ts';
import type { SettingsRepo } from '../store/settings-repo.ts';

/**
 * Turns a job's case choice into the case id the service files into. A case named in the
 * config (`{"newCase": "Interview 12"}` on a sync folder) is created once and reused by every
 * file of that source; "no case" files into the workstation's own unfiled case, so evidence is
 * never orphaned on the service and investigators can still find and refile it.
 */
export class CaseResolver {
  readonly #rest: ServiceRestClient;
  readonly #settings: SettingsRepo;
  readonly #unfiledName: string;
  readonly #creating = new Map<string, Promise<string>>();

  constructor(options: { rest: ServiceRestClient; settings: SettingsRepo; workstation: string }) {
    this.#rest = options.rest;
    this.#settings = options.settings;
    this.#unfiledName = `Unfiled — ${options.workstation}`;
  }

  async resolve(choice: CaseChoice): Promise<string> {
    if (choice !== 'none' && 'id' in choice) return choice.id;
    const name = choice === 'none' ? this.#unfiledName : choice.newCase;
    const key = `cases.byName.${name}`;
    const known = this.#settings.get(key, z.string());
    if (known !== undefined) return known;
    // Jobs of one sync folder start together: one creation, shared.
    let pending = this.#creating.get(key);
    if (!pending) {
      const { newCase: _name, ...fields } = choice === 'none' ? { newCase: name } : choice;
      pending = this.#rest
        .createCase({
          name,
          description: choice === 'none' ? 'Uploads filed into no case at this workstation' : '',
          ...fields,
        })
        .then((created) => {
          this.#settings.set(key, created.id);
          return created.id;
        })
        .finally(() => this.#creating.delete(key));
      this.#creating.set(key, pending);
    }
    return pending;
  }
}
