import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, MeterwatchError } from '../../core/errors.ts';
import { silentLogger } from '../../core/logger.ts';
import { ensureQuestdbJar } from './jar.ts';

// A local file server stands in for Maven Central: the direct-download fallback is tested
// without touching the internet (issue: foundation, item 2).
const jarBody = Buffer.from('PK\u0003\u0004 pretend this is questdb');
const goodSha = createHash('sha1').update(jarBody).digest('hex');
let server: Server;
let repo: string;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const routes: Record<string, Buffer | string> = {
      '/m2/org/questdb/questdb/9.9.1/questdb-9.9.1.jar': jarBody,
      '/m2/org/questdb/questdb/9.9.1/questdb-9.9.1.jar.sha1': `${goodSha}  questdb-9.9.1.jar\n`,
      '/m2/org/questdb/questdb/9.9.2/questdb-9.9.2.jar': jarBody,
      '/m2/org/questdb/questdb/9.9.2/questdb-9.9.2.jar.sha1': 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
    };
    const body = routes[req.url ?? ''];
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  repo = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/m2`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

const opts = (version: string, cacheDir: string) => ({ version, cacheDir, mavenRepo: repo, useMaven: false, log: silentLogger() });

describe('ensureQuestdbJar without Maven', () => {
  it('downloads, verifies the SHA-1 and caches the jar', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'mw-jar-'));
    const jar = await ensureQuestdbJar(opts('9.9.1', cache));
    expect(readFileSync(jar)).toEqual(jarBody);
    const before = requests.length;
    expect(await ensureQuestdbJar(opts('9.9.1', cache))).toBe(jar);
    expect(requests.length).toBe(before); // served from the cache
  });

  it('refuses a jar whose checksum does not match and keeps nothing', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'mw-jar-'));
    await expect(ensureQuestdbJar(opts('9.9.2', cache))).rejects.toMatchObject({ code: ErrorCodes.JAR_CHECKSUM_MISMATCH });
    expect(existsSync(join(cache, 'questdb-9.9.2.jar'))).toBe(false);
  });

  it('explains what to do when the repository does not have it', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'mw-jar-'));
    const err = await ensureQuestdbJar(opts('9.9.3', cache)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MeterwatchError);
    expect((err as MeterwatchError).code).toBe(ErrorCodes.JAR_FETCH_FAILED);
    expect((err as MeterwatchError).describe()).toMatch(/install Maven/);
  });
});
