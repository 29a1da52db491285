import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { createAccount } from '../../server/keys.ts';
import { createServer, type RunningServer } from '../../server/server.ts';

/** The embedded workstation's own account; the key never leaves this 0600 file. */
const accountSchema = z.object({ systemId: z.string(), apiKey: z.string() });

export type EmbeddedService = {
  server: RunningServer;
  integration: { url: string; apiKey: string; systemId: string };
};

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
  const accountFile = path.join(options.dataDir, 'workstation.json');
  const saved = existsSync(accountFile)
    ? accountSchema.safeParse(JSON.parse(readFileSync(accountFile, 'utf8')))
    : undefined;
  if (saved?.success && server.repository.getPrincipal(saved.data.systemId)?.active) {
    return { server, integration: { url: server.url, ...saved.data } };
  }
  const { principal, key } = createAccount(server.repository, {
    kind: 'system',
    name: options.workstation,
    role: null,
  });
  writeFileSync(accountFile, `${JSON.stringify({ systemId: principal.id, apiKey: key })}\n`, {
    mode: 0o600,
  });
  return { server, integration: { url: server.url, systemId: principal.id, apiKey: key } };
}
