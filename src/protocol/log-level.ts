import { z } from 'zod';

/**
 * pino's levels: the config's logging.level (and so the engine state's and the log settings
 * command's), and the console's choice of them. A module of its own: the config schema needs
 * it, and the engine state needs the config schema.
 */
export const logLevelSchema = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
