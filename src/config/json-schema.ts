/**
 * JSON Schema of the config file for editors (completion, hover docs, red squiggles).
 * The input side is described, so fields with defaults show as optional.
 */
import { z } from 'zod';
import { configSchema } from './schema.ts';

export const CONFIG_SCHEMA_ID = 'urn:custody:config';

export function configJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(configSchema, { io: 'input' });
  return {
    $schema,
    $id: CONFIG_SCHEMA_ID,
    title: 'Custody configuration',
    description:
      'Settings of one Custody workstation: service, cameras, sources, uploads, requests, users',
    ...rest,
  };
}
