import { createHmac, timingSafeEqual } from 'node:crypto';
import { isValidId } from '../../core/ids.ts';
import { MeterwatchError, ErrorCodes } from '../../core/errors.ts';

/**
 * Device security of the ingest tier (issue 3 item 5). Credentials need no per-device
 * lookup: a device's password is an HMAC of its identity under the server secret, so the
 * broker checks any of 10⁶ meters with one hash. The identity fixes what it may publish.
 */
export type AuthMode = 'none' | 'hmac';
export type DeviceKind = 'meter' | 'handheld';

export interface DeviceIdentity {
  kind: DeviceKind;
  id: string;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

/**
 * `auto` means `none` only when every listener is on loopback; anything reachable from the
 * network gets credentials unless `none` is chosen explicitly (issue 3 item 5). `npm start`,
 * the single-machine trial, chooses `none` explicitly; the caller warns about it.
 */
export function resolveAuthMode(setting: 'auto' | 'none' | 'hmac', hosts: readonly string[], secret: string | undefined): AuthMode {
  const mode: AuthMode = setting === 'auto' ? (hosts.every(isLoopback) ? 'none' : 'hmac') : setting;
  if (mode === 'hmac' && !secret) {
    throw new MeterwatchError(ErrorCodes.CONFIG_INVALID, `device authentication is on (MW_INGEST_AUTH=${setting}, listening on ${hosts.join(', ')}) but MW_INGEST_SECRET is not set`, {
      hint: 'set MW_INGEST_SECRET (and MW_API_TOKEN for HTTP ingest), bind MW_MQTT_HOST and MW_HTTP_HOST to 127.0.0.1, or choose MW_INGEST_AUTH=none explicitly (npm start does, for a single-machine trial)',
    });
  }
  return mode;
}

/** True when ingest accepts unauthenticated devices on an address other machines can reach. */
export function openToNetwork(mode: AuthMode, hosts: readonly string[]): boolean {
  return mode === 'none' && !hosts.every(isLoopback);
}

/** The MQTT user name of a device: `meter:M0001` or `handheld:H07`. */
export function deviceUsername(identity: DeviceIdentity): string {
  return `${identity.kind}:${identity.id}`;
}

/** The password a device is provisioned with: base64url HMAC-SHA256 of its user name. */
export function devicePassword(secret: string, identity: DeviceIdentity): string {
  return createHmac('sha256', secret).update(deviceUsername(identity)).digest('base64url');
}

export function parseUsername(username: string | undefined): DeviceIdentity | undefined {
  const m = /^(meter|handheld):(.+)$/.exec(username ?? '');
  if (!m || !isValidId(m[2])) return undefined;
  return { kind: m[1] as DeviceKind, id: m[2]! };
}

/** The identity when user name and password match under the secret, else undefined. */
export function verifyDevice(secret: string, username: string | undefined, password: Buffer | string | undefined): DeviceIdentity | undefined {
  const identity = parseUsername(username);
  if (!identity || password === undefined) return undefined;
  const expected = Buffer.from(devicePassword(secret, identity));
  const given = Buffer.isBuffer(password) ? password : Buffer.from(password);
  return given.length === expected.length && timingSafeEqual(given, expected) ? identity : undefined;
}

/**
 * ACL: a meter publishes only under `meters/{its id}/`, a handheld device only under
 * `handheld/{its id}/`; no wildcards anywhere. Without authentication any topic without a
 * wildcard is allowed (loopback or explicit `none`).
 */
export function mayPublish(identity: DeviceIdentity | undefined, topic: string, mode: AuthMode): boolean {
  if (topic.includes('+') || topic.includes('#')) return false;
  if (mode === 'none') return true;
  if (!identity) return false;
  const prefix = deviceTopicPrefix(identity);
  return topic.startsWith(prefix) && topic.length > prefix.length;
}

export function deviceTopicPrefix(identity: DeviceIdentity): string {
  return identity.kind === 'meter' ? `meters/${identity.id}/` : `handheld/${identity.id}/`;
}

/** Token bucket for new connections: `perSecond` sustained, the same as burst. */
export class ConnectionRateLimiter {
  private tokens: number;
  private last: number;

  constructor(private readonly perSecond: number, private readonly now: () => number = () => performance.now()) {
    this.tokens = perSecond;
    this.last = now();
  }

  tryAcquire(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Constant-time comparison of an HTTP bearer token. */
export function tokenMatches(expected: string, header: string | undefined): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1]!.trim());
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
