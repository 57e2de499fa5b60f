import { describe, expect, it } from 'vitest';
import { ConnectionRateLimiter, devicePassword, mayPublish, openToNetwork, resolveAuthMode, tokenMatches, verifyDevice } from './security.ts';

const SECRET = 'a-server-secret-of-some-length';

describe('device security', () => {
  it('verifies HMAC credentials without a lookup and binds the identity', () => {
    const pw = devicePassword(SECRET, { kind: 'meter', id: 'M1' });
    expect(verifyDevice(SECRET, 'meter:M1', Buffer.from(pw))).toEqual({ kind: 'meter', id: 'M1' });
    expect(verifyDevice(SECRET, 'meter:M2', Buffer.from(pw))).toBeUndefined();
    expect(verifyDevice(SECRET, 'handheld:M1', Buffer.from(pw))).toBeUndefined();
    expect(verifyDevice('another-secret-entirely!', 'meter:M1', Buffer.from(pw))).toBeUndefined();
    expect(verifyDevice(SECRET, 'meter:M+1', Buffer.from(pw))).toBeUndefined();
  });

  it('lets a device publish only under its own prefix, never wildcards', () => {
    const meter = { kind: 'meter' as const, id: 'M1' };
    expect(mayPublish(meter, 'meters/M1/readings', 'hmac')).toBe(true);
    expect(mayPublish(meter, 'meters/M2/readings', 'hmac')).toBe(false);
    expect(mayPublish(meter, 'meters/M10/readings', 'hmac')).toBe(false);
    expect(mayPublish(meter, 'handheld/M1/uploads', 'hmac')).toBe(false);
    expect(mayPublish({ kind: 'handheld', id: 'H1' }, 'handheld/H1/uploads', 'hmac')).toBe(true);
    expect(mayPublish(undefined, 'meters/M1/readings', 'hmac')).toBe(false);
    expect(mayPublish(undefined, 'meters/+/readings', 'none')).toBe(false);
    expect(mayPublish(undefined, 'meters/M1/readings', 'none')).toBe(true);
  });

  it('allows auth none only on loopback or when chosen, and needs a secret otherwise', () => {
    expect(resolveAuthMode('auto', ['127.0.0.1', '::1'], undefined)).toBe('none');
    expect(() => resolveAuthMode('auto', ['0.0.0.0'], undefined)).toThrow(/MW_INGEST_SECRET/);
    expect(resolveAuthMode('none', ['0.0.0.0'], undefined)).toBe('none');
    expect(openToNetwork('none', ['0.0.0.0'])).toBe(true);
    expect(openToNetwork('none', ['127.0.0.1'])).toBe(false);
    expect(resolveAuthMode('auto', ['0.0.0.0'], SECRET)).toBe('hmac');
    expect(() => resolveAuthMode('hmac', ['0.0.0.0'], undefined)).toThrow(/MW_INGEST_SECRET/);
    expect(resolveAuthMode('none', ['0.0.0.0'], undefined)).toBe('none');
  });

  it('limits the connection rate', () => {
    let t = 0;
    const limiter = new ConnectionRateLimiter(2, () => t);
    expect([limiter.tryAcquire(), limiter.tryAcquire(), limiter.tryAcquire()]).toEqual([true, true, false]);
    t = 500;
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(false);
  });

  it('compares API tokens', () => {
    expect(tokenMatches('token-token-token-1', 'Bearer token-token-token-1')).toBe(true);
    expect(tokenMatches('token-token-token-1', 'Bearer token-token-token-2')).toBe(false);
    expect(tokenMatches('token-token-token-1', undefined)).toBe(false);
  });
});
