/**
 * Turns zod's issues into ConfigIssues: plain messages, the bad value, and a fix that says
 * what to write instead, using the field's bounds, default and registered fix.
 */
import type { z } from 'zod';
import { formatCount } from '../core/format.ts';
import { closest } from './closest.ts';
import { configSchema } from './schema.ts';
import { type Field, fieldAt, type Key, knownKeys } from './walk.ts';

/** A ConfigIssue before its path is written out, so issues can be sorted in file order. */
export type KeyedIssue = { keys: Key[]; value: unknown; message: string; fix: string };

const TYPE_NAMES: Record<string, string> = {
  string: 'text in double quotes',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list [ … ]',
  object: 'an object { … }',
};

const typeName = (expected: string): string => TYPE_NAMES[expected] ?? expected;

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return `an ${typeof value}`;
}

const oneOf = (values: readonly unknown[]): string => {
  const shown = values.map((value) => JSON.stringify(value));
  return shown.length <= 1
    ? (shown[0] ?? '')
    : `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`;
};

/** Error map: zod's default wording replaced by the console's. Schema messages still win. */
export function messageFor(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      if (issue.expected === 'int') return 'must be a whole number';
      return `must be ${typeName(issue.expected)}, not ${kindOf(issue.input)}`;
    case 'too_big': {
      const bound = issue.inclusive === false ? 'below' : 'at most';
      if (issue.origin === 'array')
        return `must have ${bound} ${formatCount(issue.maximum, 'entry')}`;
      if (issue.origin === 'string')
        return `must be ${bound} ${formatCount(issue.maximum, 'character')}`;
      return `must be ${bound} ${issue.maximum}`;
    }
    case 'too_small': {
      if ((issue.origin === 'array' || issue.origin === 'string') && Number(issue.minimum) === 1) {
        return 'must not be empty';
      }
      const bound = issue.inclusive === false ? 'above' : 'at least';
      if (issue.origin === 'array')
        return `must have ${bound} ${formatCount(issue.minimum, 'entry')}`;
      if (issue.origin === 'string')
        return `must be ${bound} ${formatCount(issue.minimum, 'character')}`;
      return `must be ${bound} ${issue.minimum}`;
    }
    case 'invalid_value':
      return `must be ${oneOf(issue.values)}`;
    case 'invalid_union':
      if (issue.discriminator && 'options' in issue && Array.isArray(issue.options)) {
        const input = issue.input as Record<string, unknown> | undefined;
        const missing = input?.[issue.discriminator] === undefined;
        return `${missing ? 'is required:' : 'must be'} ${oneOf(issue.options)}`;
      }
      return undefined;
    case 'unrecognized_keys':
      return 'is not a known setting';
    case 'invalid_format':
      return issue.format === 'url' ? 'must be a URL' : 'is not in the expected form';
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      return undefined;
  }
}

function registeredFix(field: Field | undefined, value: unknown): string | undefined {
  const fix = field?.info.fix;
  return typeof fix === 'function' ? fix(value) : fix;
}

function rangeFix(field: Field | undefined): string | undefined {
  const schema = field?.schema as Partial<z.ZodNumber> | undefined;
  const min = schema?.minValue;
  const max = schema?.maxValue;
  const hasMin = typeof min === 'number' && Number.isFinite(min);
  const hasMax = typeof max === 'number' && Number.isFinite(max);
  if (hasMin && hasMax) return `use ${min} to ${max}`;
  if (hasMin) return `use ${min} or more`;
  if (hasMax) return `use ${max} or less`;
  return undefined;
}

function choiceFix(values: readonly unknown[], value: unknown): string {
  const strings = values.filter((option): option is string => typeof option === 'string');
  const guess = typeof value === 'string' ? closest(value, strings) : undefined;
  const list = `use ${values.length === 1 ? '' : 'one of '}${oneOf(values)}`;
  return guess ? `did you mean ${JSON.stringify(guess)}? ${list}` : list;
}

function defaultHint(field: Field | undefined): string {
  if (!field || !('defaultValue' in field)) return '';
  return `, or leave it out for the default ${JSON.stringify(field.defaultValue)}`;
}

function fixFor(issue: z.core.$ZodIssue, field: Field | undefined, value: unknown): string {
  if (issue.code === 'custom' && typeof issue.params?.fix === 'string') return issue.params.fix;
  const registered = registeredFix(field, value);
  switch (issue.code) {
    case 'invalid_type': {
      const key = issue.path[issue.path.length - 1];
      if (value === undefined && typeof key === 'string') {
        return registered ?? `add "${key}": ${typeName(issue.expected)}`;
      }
      if (
        issue.expected === 'number' &&
        typeof value === 'string' &&
        value.trim() !== '' &&
        Number.isFinite(Number(value))
      ) {
        return `write ${value.trim()} without quotes`;
      }
      return registered ?? `write ${typeName(issue.expected)}${defaultHint(field)}`;
    }
    case 'too_big':
    case 'too_small':
      if (issue.origin === 'array') {
        return registered ?? (issue.code === 'too_small' ? 'add an entry' : 'remove entries');
      }
      return registered ?? rangeFix(field) ?? 'change the value';
    case 'invalid_value':
      return choiceFix(issue.values, value);
    case 'invalid_union':
      if (issue.discriminator && 'options' in issue && issue.options) {
        return choiceFix(issue.options, value);
      }
      return registered ?? 'check the value against config.schema.json';
    case 'not_multiple_of':
      return typeof value === 'number'
        ? `use e.g. ${Math.round(value / issue.divisor) * issue.divisor}`
        : `use a multiple of ${issue.divisor}`;
    default:
      return registered ?? 'check the value against config.schema.json';
  }
}

function valueAt(input: unknown, keys: readonly Key[]): unknown {
  let value = input;
  for (const key of keys) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function unknownKeyIssue(parent: Key[], key: string, input: unknown): KeyedIssue {
  const known = knownKeys(fieldAt(configSchema, parent, input));
  const guess = closest(key, known);
  const listed = known.length > 0 ? ` (known here: ${known.join(', ')})` : '';
  return {
    keys: [...parent, key],
    value: valueAt(input, [...parent, key]),
    message: 'is not a known setting',
    fix: guess ? `did you mean "${guess}"? rename it, or remove it` : `remove it${listed}`,
  };
}

export function fromZodIssues(issues: readonly z.core.$ZodIssue[], input: unknown): KeyedIssue[] {
  return issues.flatMap((issue): KeyedIssue[] => {
    const keys = [...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => unknownKeyIssue(keys, key, input));
    }
    const value = valueAt(input, keys);
    const field = fieldAt(configSchema, keys, input);
    return [{ keys, value, message: issue.message, fix: fixFor(issue, field, value) }];
  });
}
