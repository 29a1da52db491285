import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Read at run time (from src/ or dist/ alike) so the version has one home: package.json. */
export const version: string = (require('../package.json') as { version: string }).version;
