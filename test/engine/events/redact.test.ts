import { describe, expect, it } from 'vitest';
import { isSecretKey, maskSecrets, maskString } from '../../../src/engine/events/redact.ts';

describe('isSecretKey', () => {
  it('knows secret names without catching ordinary ones', () => {
    for (const name of [
      'token',
      'apiKey',
      'api_key',
      'API_KEY',
      'x-api-key',
      'key',
      'secret',
      'password',
    ]) {
      expect(isSecretKey(name), name).toBe(true);
    }
    for (const name of [
      'authorization',
      'Cookie',
      'set-cookie',
      'fileKey',
      'wrappedKey',
      'accessToken',
    ]) {
      expect(isSecretKey(name), name).toBe(true);
    }
    for (const name of ['tokenBucket', 'keyframe', 'monkey', 'hotkey', 'kind', 'subject', 'keys']) {
      expect(isSecretKey(name), name).toBe(false);
    }
  });
});

describe('maskString', () => {
  it('masks bearer tokens, service API keys and URL credentials', () => {
    expect(maskString('Authorization: Bearer eyJhbGci.eyJzdWIi.sig-_x')).toBe(
      'Authorization: Bearer [redacted]',
    );
    expect(maskString('basic dXNlcjpwYXNz')).toBe('basic [redacted]');
    expect(maskString('key=cst_0123456789abcdefghijXYZ;')).toBe('key=[redacted];');
    expect(maskString('cst_short stays')).toBe('cst_short stays');
    expect(maskString('/files/9?access_token=abc&x=1')).toBe(
      '/files/9?access_token=[redacted]&x=1',
    );
    expect(maskString('nothing to see')).toBe('nothing to see');
  });
});

describe('maskSecrets', () => {
  it('copies without touching the original, and survives cycles', () => {
    const original: Record<string, unknown> = { a: { password: 'p' }, when: new Date(0) };
    original.self = original;
    const masked = maskSecrets(original) as Record<string, unknown>;
    expect(masked).toEqual({
      a: { password: '[redacted]' },
      when: '1970-01-01T00:00:00.000Z',
      self: '[Circular]',
    });
    expect((original.a as Record<string, unknown>).password).toBe('p');
  });

  it('masks errors into copies of the same type that keep their stack', () => {
    const error = Object.assign(new TypeError('sent Bearer abc.def'), {
      apiKey: 'k',
      code: 'E401',
    });
    const masked = maskSecrets({ err: error }) as { err: TypeError & Record<string, unknown> };
    expect(masked.err).toBeInstanceOf(TypeError);
    expect(masked.err.message).toBe('sent Bearer [redacted]');
    expect(masked.err.stack).toMatch(/^TypeError: sent Bearer \[redacted\]\n\s+at /);
    expect(masked.err.apiKey).toBe('[redacted]');
    expect(masked.err.code).toBe('E401');
    expect(error.message).toBe('sent Bearer abc.def');
  });
});
