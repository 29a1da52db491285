/**
 * Follows the config schema alongside a value: to find the field behind an issue's path
 * (its bounds, default, known keys, fix), and to visit every path field of a config.
 */
import { z } from 'zod';
import { type FieldInfo, fieldInfo } from './fields.ts';

type Schema = z.core.$ZodType;
export type Key = PropertyKey;

export type Field = {
  /** The field's schema with optional/default/pipe wrappers taken off. */
  schema: z.core.$ZodTypes;
  info: FieldInfo;
  /** Present when the field has a default: what an absent value becomes. */
  defaultValue?: unknown;
};

const isRecord = (value: unknown): value is Record<PropertyKey, unknown> =>
  typeof value === 'object' && value !== null;

export function unwrap(schema: Schema): Field {
  let current = schema as z.core.$ZodTypes;
  let info: FieldInfo = {};
  let defaultValue: { value: unknown } | undefined;
  for (;;) {
    info = { ...fieldInfo.get(current), ...info };
    const def = current._zod.def;
    if (def.type === 'default' || def.type === 'prefault') {
      defaultValue ??= { value: def.defaultValue };
      current = def.innerType as z.core.$ZodTypes;
    } else if (def.type === 'optional' || def.type === 'nullable' || def.type === 'readonly') {
      current = def.innerType as z.core.$ZodTypes;
    } else if (def.type === 'pipe') {
      current = def.in as z.core.$ZodTypes;
    } else {
      break;
    }
  }
  return defaultValue
    ? { schema: current, info, defaultValue: defaultValue.value }
    : { schema: current, info };
}

/** The union member that `value` belongs to, by discriminator or by first successful parse. */
function pickOption(union: z.core.$ZodUnion, value: unknown): Schema | undefined {
  const def = union._zod.def;
  if ('discriminator' in def && typeof def.discriminator === 'string') {
    const tag = isRecord(value) ? value[def.discriminator] : undefined;
    return def.options.find((option) =>
      option._zod.propValues?.[def.discriminator as string]?.has(tag as z.core.util.Primitive),
    );
  }
  return def.options.find((option) => z.safeParse(option, value).success);
}

function child(field: Field, key: Key, value: unknown): Schema | undefined {
  let schema = field.schema;
  if (schema._zod.def.type === 'union') {
    const union = schema as z.core.$ZodUnion;
    const option =
      pickOption(union, value) ??
      // A bad discriminator still leaves the keys every member shares, e.g. `mode` itself.
      union._zod.def.options.find((member) => {
        const inner = unwrap(member).schema;
        return inner._zod.def.type === 'object' && key in inner._zod.def.shape;
      });
    if (!option) return undefined;
    schema = unwrap(option).schema;
  }
  const def = schema._zod.def;
  if (def.type === 'object' && typeof key === 'string') return def.shape[key];
  if (def.type === 'array' && typeof key === 'number') return def.element;
  if (def.type === 'record') return def.valueType;
  return undefined;
}

/** The field at `path` of `root`, reading `input` to choose union members on the way. */
export function fieldAt(root: Schema, path: readonly Key[], input: unknown): Field | undefined {
  let field = unwrap(root);
  let value = input;
  for (const key of path) {
    const next = child(field, key, value);
    if (!next) return undefined;
    field = unwrap(next);
    value = isRecord(value) ? value[key as keyof typeof value] : undefined;
  }
  if (field.schema._zod.def.type === 'union') {
    const option = pickOption(field.schema as z.core.$ZodUnion, value);
    if (option) {
      const member = unwrap(option);
      return { ...member, info: { ...member.info, ...field.info } };
    }
  }
  return field;
}

/** Keys an object field accepts, for suggesting the one a misspelt key meant. */
export function knownKeys(field: Field | undefined): string[] {
  const def = field?.schema._zod.def;
  return def?.type === 'object' ? Object.keys(def.shape) : [];
}

export type Visit = (value: unknown, info: FieldInfo, path: Key[]) => unknown;

/**
 * Rebuilds `value` with `visit` applied to every field that has registered info, leaving
 * the rest as it is. Tolerates values that do not match the schema, so it can also run on
 * a file that failed validation.
 */
export function mapFields(schema: Schema, value: unknown, visit: Visit, path: Key[] = []): unknown {
  const field = unwrap(schema);
  let inner = field.schema;
  if (inner._zod.def.type === 'union') {
    const option = pickOption(inner as z.core.$ZodUnion, value);
    if (option) inner = unwrap(option).schema;
  }
  const def = inner._zod.def;
  let out = value;
  if (def.type === 'object' && isRecord(value) && !Array.isArray(value)) {
    const copy: Record<string, unknown> = { ...value };
    for (const [key, member] of Object.entries(def.shape)) {
      if (key in copy) copy[key] = mapFields(member, copy[key], visit, [...path, key]);
    }
    out = copy;
  } else if (def.type === 'array' && Array.isArray(value)) {
    out = value.map((item, index) => mapFields(def.element, item, visit, [...path, index]));
  }
  return Object.keys(field.info).length > 0 ? visit(out, field.info, path) : out;
}
