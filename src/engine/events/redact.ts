export const REDACTED = '[redacted]';

/** Key names whose values are secrets wherever they appear. */
export const secretKeys = [
  'token',
  'apiKey',
  'api_key',
  'key',
  'secret',
  'password',
  'authorization',
  'cookie',
  'fileKey',
  'wrappedKey',
] as const;

/**
 * pino `redact` paths for the keys above down to four levels, plus header spellings.
 * pino's paths cannot say "at any depth": maskSecrets below covers what they miss.
 */
export const redactPaths: string[] = [
  ...secretKeys.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]),
  'headers["set-cookie"]',
  '*.headers["set-cookie"]',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
];

const secretSuffix = /(?:token|secret|password|passphrase|authorization|cookie|api[-_]?key)$/i;

/**
 * By suffix, so accessToken, x-api-key, set-cookie and privateKey count too; tokenBucket does
 * not, and neither do 'monkey' or 'hotkey' (a key must be the whole name, `_key` or camelCase).
 */
export function isSecretKey(name: string): boolean {
  return secretSuffix.test(name) || /^key$|[-_]key$/i.test(name) || /[a-z0-9]Key$/.test(name);
}

const secretInText: [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  // API keys issued by the evidence service.
  [/\bcst_[A-Za-z0-9]{20,}/g, REDACTED],
  // Credentials carried in URLs (tus upload locations, push endpoints).
  [/([?&](?:token|access_token|api_key|apikey|key|secret)=)[^&#\s"']+/gi, `$1${REDACTED}`],
];

export function maskString(text: string): string {
  let masked = text;
  for (const [pattern, replacement] of secretInText) masked = masked.replace(pattern, replacement);
  return masked;
}

const MAX_DEPTH = 10;

/** A copy of `value` with secret-named keys censored and secret-looking strings masked. */
export function maskSecrets(value: unknown): unknown {
  return mask(value, 0, new WeakSet());
}

function mask(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return maskString(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => mask(item, depth + 1, seen));
    if (value instanceof Error) return maskError(value, depth, seen);
    if (ArrayBuffer.isView(value)) return value;
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return mask(toJSON.call(value), depth + 1, seen);
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      copy[key] = isSecretKey(key) ? REDACTED : mask(item, depth + 1, seen);
    }
    return copy;
  } finally {
    seen.delete(value);
  }
}

/**
 * Messages and stacks can quote a request that carried a token. The copy keeps the prototype
 * so pino's error serializer still sees an Error of the same type.
 */
function maskError(error: Error, depth: number, seen: WeakSet<object>): Error {
  const copy = Object.create(Object.getPrototypeOf(error)) as Error;
  for (const name of Object.getOwnPropertyNames(error)) {
    // `stack` is an own accessor in current V8: read it, and keep the copy's as plain data.
    const enumerable = Object.getOwnPropertyDescriptor(error, name)?.enumerable ?? false;
    const original: unknown = Reflect.get(error, name);
    const value = isSecretKey(name) ? REDACTED : mask(original, depth + 1, seen);
    Object.defineProperty(copy, name, { value, enumerable, writable: true, configurable: true });
  }
  return copy;
}
