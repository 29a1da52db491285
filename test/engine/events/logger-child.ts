// Run by logger.test.ts: a logger with no file, at the level given, logging one secret.
import { createLogger } from '../../../src/engine/events/logger.ts';

const { logger, close } = await createLogger({
  level: process.argv[2] ?? 'info',
  maxSize: '10m',
  maxFiles: 3,
});
logger.info({ password: 'pw-child-SECRET' }, 'child says hello with Bearer bt-child-SECRET');
logger.debug('debug line');
await close();
