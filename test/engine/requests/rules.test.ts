import { describe, expect, it } from 'vitest';
import { matchingRule, type RequestRules } from '../../../src/engine/requests/rules.ts';
import type { VideoRequest } from '../../../src/protocol/service.ts';

const ivy = { id: 'usr_0123456789abcdef', kind: 'user' as const, name: 'Det. Ivy Moss' };

function request(cameras: string[], createdBy = ivy): VideoRequest {
  return { cameras, createdBy } as unknown as VideoRequest;
}

const rules = (autoApprove: RequestRules['autoApprove']): RequestRules => ({
  defaultExpiry: '7d',
  maxRange: '24h',
  autoApprove,
});

describe('auto-approve rules', () => {
  it('approves a requester named by account id', () => {
    expect(matchingRule(request(['lobby']), rules([{ requester: ivy.id }]))).toEqual({
      requester: ivy.id,
    });
  });

  it('never approves by display name: another account can carry the same name', () => {
    const namesake = { ...ivy, id: 'usr_fedcba9876543210' };
    expect(matchingRule(request(['lobby'], namesake), rules([{ requester: ivy.id }]))).toBe(
      undefined,
    );
    // A name that slipped past the config check still matches nothing.
    expect(matchingRule(request(['lobby']), rules([{ requester: ivy.name }]))).toBe(undefined);
  });

  it('needs every camera asked for to be the rule camera', () => {
    const lobbyOnly = rules([{ camera: 'lobby', requester: ivy.id }]);
    expect(matchingRule(request(['lobby']), lobbyOnly)).toBeDefined();
    expect(matchingRule(request(['lobby', 'vault']), lobbyOnly)).toBe(undefined);
  });
});
