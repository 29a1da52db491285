import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { createAccount } from '../../server/keys.ts';
import { createServer, type RunningServer } from '../../server/server.ts';
import { jsonOrUndefined } from './rest-client.ts';

/** The embedded workstation's own account; the key never leaves this 0600 file. */
const accountSchema = z.object({ systemId: z.string(), apiKey: z.string() });

export type EmbeddedService = {
  server: RunningServer;
  integration: { url: string; apiKey: string; systemId: string };
};

const accountFileIn = (serviceDir: string) => path.join(serviceDir, 'workstation.json');

/** The workstation's account on the embedded service in `serviceDir`, once it has one. */
export function embeddedAccount(serviceDir: string): z.infer<typeof accountSchema> | undefined {
  const file = accountFileIn(serviceDir);
  if (!existsSync(file)) return undefined;
  const saved = accountSchema.safeParse(jsonOrUndefined(readFileSync(file, 'utf8')));
  return saved.success ? saved.data : undefined;
}

/**
 * Starts the reference service in-process (the demo and small sites) and associates this
 * workstation with it once, keeping the account across restarts so requests stay addressed.
 */
export async function startEmbeddedService(options: {
  dataDir: string;
  port: number;
  workstation: string;
  logger?: Logger;
}): Promise<EmbeddedService> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const server = await createServer({
    dataDir: options.dataDir,
    port: options.port,
    logger: options.logger,
  });
  const saved = embeddedAccount(options.dataDir);
  if (saved && server.repository.getPrincipal(saved.systemId)?.active) {
    return { server, integration: { url: server.url, ...saved } };
  }
  const { principal, key } = createAccount(server.repository, {
    kind: 'system',
    name: options.workstation,
    role: null,
  });
  writeFileSync(
    accountFileIn(options.dataDir),
    `${JSON.stringify({ systemId: principal.id, apiKey: key })}\n`,
    {
      mode: 0o600,
    },
  );
  return { server, integration: { url: server.url, systemId: principal.id, apiKey: key } };
}
