import type { Alert, RuleId, Severity } from '../../core/types.ts';

/**
 * What a rule proposes: an Alert (core/types.ts) before the sink gives it an id, a raising
 * time and a status, plus where the customer is. The sink turns it into an Alert or
 * recognises a known one.
 */
export type AlertCandidate = Omit<Alert, 'id' | 'raisedAt' | 'status' | 'evidence'> & {
  district?: string | undefined;
  route?: string | undefined;
  /** What an analyst can check by hand: the months compared, the readings that ran backwards… */
  evidence: Record<string, unknown>;
};

/** One alert per (meter, rule, period) (interface.md §3): the id is derived from that key. */
export function alertKey(meterId: string, rule: RuleId, periodStart: number): string {
  return `${rule}|${meterId}|${periodStart}`;
}

/**
 * 20 hex digits from three 32-bit multiplicative string hashes of the key, mixed. Not a
 * cryptographic hash, nor need it be (the key is public); sha1 per alert cost a first pass
 * over 100k meters more than a second. Ids stored by earlier versions stay as they are: the
 * sink keeps a known alert's id.
 */
export function alertId(meterId: string, rule: RuleId, periodStart: number): string {
  return alertIdOfKey(alertKey(meterId, rule, periodStart));
}

/** alertId from the key alertKey made. */
export function alertIdOfKey(key: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  let h3 = 0x9e3779b9;
  for (let i = 0; i < key.length; i++) {
    const ch = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 0x9e3779b1);
    h2 = Math.imul(h2 ^ ch, 0x5f356495);
    h3 = Math.imul(h3 ^ ch, 0x85ebca6b);
  }
  h1 = mix(h1, h2);
  h2 = mix(h2, h3);
  h3 = mix(h3, h1);
  return hex32(h1) + hex32(h2) + hex32(h3).slice(0, 4);
}

function mix(a: number, b: number): number {
  return Math.imul(a ^ (a >>> 16), 0x85ebca6b) ^ Math.imul(b ^ (b >>> 13), 0xc2b2ae35);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex32(h: number): string {
  return HEX[(h >>> 24) & 255]! + HEX[(h >>> 16) & 255]! + HEX[(h >>> 8) & 255]! + HEX[h & 255]!;
}

const ORDER: Severity[] = ['info', 'warning', 'critical'];
export function raiseSeverity(s: Severity): Severity {
  return ORDER[Math.min(ORDER.length - 1, ORDER.indexOf(s) + 1)]!;
}
