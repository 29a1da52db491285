import type { Config } from '../../config/schema.ts';
import { parseDuration } from '../../core/format.ts';
import type { VideoRequest } from '../../protocol/service.ts';

export type RequestRules = Config['requests'];
export type AutoApproveRule = RequestRules['autoApprove'][number];

function durationMs(text: string): number {
  const parsed = parseDuration(text);
  // The config schema checked it already; a bad value here would be a bug, so fail closed.
  return parsed.ok ? parsed.ms : 0;
}

/** Why the request asks for more than one request may, or undefined when it is within limits. */
export function rangeRefusal(request: VideoRequest, rules: RequestRules): string | undefined {
  const maxMs = durationMs(rules.maxRange);
  const askedMs = Date.parse(request.to) - Date.parse(request.from);
  if (askedMs <= maxMs) return undefined;
  return `the request asks for ${minutes(askedMs)} of footage, more than the ${rules.maxRange} this system allows per request (requests.maxRange); ask for shorter ranges in several requests`;
}

/**
 * The rule that approves this request without asking, if any. A rule names a camera, a
 * requester or both; it approves a request only when it covers every camera asked for, so a
 * rule for the lobby never lets a request for the lobby and the vault through.
 */
export function matchingRule(
  request: VideoRequest,
  rules: RequestRules,
): AutoApproveRule | undefined {
  // By account id only: a display name is no authority, another account can carry it.
  return rules.autoApprove.find(
    (rule) =>
      (rule.requester === undefined || rule.requester === request.createdBy.id) &&
      (rule.camera === undefined || request.cameras.every((camera) => camera === rule.camera)),
  );
}

export function describeRule(rule: AutoApproveRule): string {
  const parts = [
    rule.camera === undefined ? undefined : `camera ${rule.camera}`,
    rule.requester === undefined ? undefined : `requester ${rule.requester}`,
  ].filter((part) => part !== undefined);
  return `auto-approve rule (${parts.join(', ')})`;
}

/**
 * When the engine gives up waiting for a decision: the service's expiry, or sooner when the
 * operator's `requests.defaultExpiry` is shorter (held footage waits no longer than that here).
 */
export function localExpiry(request: VideoRequest, receivedAt: Date, rules: RequestRules): string {
  const local = receivedAt.getTime() + durationMs(rules.defaultExpiry);
  return new Date(Math.min(Date.parse(request.expiresAt), local)).toISOString();
}

function minutes(ms: number): string {
  const total = Math.round(ms / 60_000);
  return total >= 120 ? `${(total / 60).toFixed(1)} h` : `${total} min`;
}
