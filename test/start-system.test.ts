import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../storage/questdb/ports.ts';
import { CACHE_DIR } from './support/constants.ts';
import { eventually, javaProcessesMentioning } from './support/questdb.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'mw-start-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('meterwatch start', () => {
  it('runs QuestDB, the broker and the HTTP API; SIGINT stops all of it and leaves no java process', async () => {
    const httpPort = await freePort();
    const env = {
      ...process.env,
      MW_DATA_DIR: dataDir,
      MW_CACHE_DIR: CACHE_DIR,
      MW_HTTP_HOST: '127.0.0.1',
      MW_HTTP_PORT: String(httpPort),
      MW_MQTT_HOST: '127.0.0.1',
      MW_MQTT_PORT: String(await freePort()),
      MW_QUESTDB_HTTP_PORT: String(await freePort()),
      MW_QUESTDB_PG_PORT: String(await freePort()),
      MW_QUESTDB_HEALTH_PORT: String(await freePort()),
      MW_QUESTDB_HEAP: '512m',
      MW_SIMULATE: 'false',
      MW_LOG_LEVEL: 'warn',
    };
    delete (env as Record<string, string | undefined>).MW_QUESTDB_URL;
    const child = spawn(join(process.cwd(), 'node_modules/.bin/tsx'), ['main.ts', 'start'], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    let exitCode: number | null | undefined;
    child.once('exit', (code) => (exitCode = code));

    let health: { status: string; broker: { state: string }; storage: { state: string } } | undefined;
    await eventually(async () => {
      if (exitCode !== undefined) throw new Error(`meterwatch exited early with ${exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${httpPort}/api/health`);
        health = (await res.json()) as typeof health;
        return res.ok;
      } catch {
        return false;
      }
    }, 120_000, 500);
    expect(health).toMatchObject({ status: 'ok', broker: { state: 'up' }, storage: { state: 'up' } });
    expect((await javaProcessesMentioning(dataDir)).length).toBe(1);

    child.kill('SIGINT');
    await eventually(async () => exitCode !== undefined, 60_000, 200);
    expect(exitCode).toBe(0);
    expect(await javaProcessesMentioning(dataDir)).toEqual([]);
  });
});
