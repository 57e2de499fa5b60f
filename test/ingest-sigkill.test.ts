import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../storage/questdb/ports.ts';
import { eventually, sharedEndpoints, sharedSql } from './support/questdb.ts';
import { runPrefix, steadyPublisher, storedKeys } from './support/ingest.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'mw-sigkill-'));
const sql = sharedSql();
let child: ChildProcess | undefined;
afterAll(async () => {
  child?.kill('SIGKILL');
  await sql.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function startIngestProcess(env: NodeJS.ProcessEnv, httpPort: number): Promise<ChildProcess> {
  // node with tsx as a loader is ONE process: SIGKILL must hit meterwatch itself, not a tsx wrapper.
  const proc = spawn(process.execPath, ['--import', 'tsx', 'main.ts', 'ingest'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  let exited = false;
  proc.once('exit', () => (exited = true));
  await eventually(async () => {
    if (exited) throw new Error('meterwatch ingest exited at start');
    try {
      return (await fetch(`http://127.0.0.1:${httpPort}/api/health`)).ok;
    } catch {
      return false;
    }
  }, 60_000, 200);
  return proc;
}

describe('meterwatch ingest killed with SIGKILL mid-stream', () => {
  it('loses no acknowledged record across the kill and the restart', async () => {
    const { httpUrl, pgUrl } = sharedEndpoints();
    const httpPort = await freePort();
    const mqttPort = await freePort();
    const env = {
      ...process.env,
      MW_QUESTDB_URL: httpUrl,
      MW_QUESTDB_PG_URL: pgUrl,
      MW_DATA_DIR: dataDir,
      MW_HTTP_HOST: '127.0.0.1',
      MW_HTTP_PORT: String(httpPort),
      MW_MQTT_HOST: '127.0.0.1',
      MW_MQTT_PORT: String(mqttPort),
      MW_LOG_LEVEL: 'warn',
    };
    child = await startIngestProcess(env, httpPort);
    const P = runPrefix('kill');
    const publisher = steadyPublisher(`mqtt://127.0.0.1:${mqttPort}`, P, { intervalMs: 5, meters: 100, clientId: `${P}-pub` });
    await new Promise((r) => setTimeout(r, 3_000));
    const beforeKill = publisher.acked.size;
    child.kill('SIGKILL');
    await new Promise<void>((r) => child!.once('exit', () => r()));
    child = await startIngestProcess(env, httpPort);
    await new Promise((r) => setTimeout(r, 3_000));
    await publisher.stop();
    child.kill('SIGINT');
    await new Promise<void>((r) => child!.once('exit', () => r()));
    child = undefined;

    expect(beforeKill).toBeGreaterThan(100);
    expect(publisher.acked.size).toBeGreaterThan(beforeKill + 100); // the stream went on after the restart
    await eventually(async () => {
      const { keys } = await storedKeys(sql, P);
      return [...publisher.acked].every((k) => keys.has(k));
    }, 30_000, 500);
    const { keys, rows } = await storedKeys(sql, P);
    expect([...publisher.acked].filter((k) => !keys.has(k))).toEqual([]);
    expect(rows).toBe(keys.size);
  }, 120_000);
});
