import { z } from 'zod';

/**
 * pino's levels, shared by the config's logging.level, the engine state and the log level
 * command. A module of its own: the config schema needs it, and the engine state needs the
 * config schema.
 */
export const logLevelSchema = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
