import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../core/logger.ts';
import { migrate } from '../storage/migrations/index.ts';
import { ManagedQuestdb } from '../storage/questdb/managed-server.ts';
import { freePort } from '../storage/questdb/ports.ts';
import { SqlClient } from '../storage/sql.ts';
import { eventually } from './support/questdb.ts';
import { runPrefix, startTestIngest, steadyPublisher, storedKeys } from './support/ingest.ts';

const root = mkdtempSync(join(tmpdir(), 'mw-outage-questdb-'));
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

describe('QuestDB outage under a steady QoS 1 publisher', () => {
  it('spools while QuestDB is down for 30 s, replays when it is back: every acknowledged record stored exactly once', async () => {
    // Its own QuestDB (not the shared one): this test stops it.
    const log = silentLogger();
    const questdb = new ManagedQuestdb({
      jar: inject('questdbJar'),
      java: process.env.MW_JAVA ?? 'java',
      root,
      host: '127.0.0.1',
      httpPort: await freePort(),
      pgPort: await freePort(),
      healthPort: await freePort(),
      heap: '512m',
      startTimeoutMs: 120_000,
      log,
    });
    const endpoints = await questdb.start();
    cleanups.push(() => questdb.stop());
    const sql = new SqlClient(endpoints.pgUrl, log);
    cleanups.push(() => sql.close());
    await migrate(sql, log);
    const ingest = await startTestIngest(endpoints.httpUrl, sql, { MW_INGEST_FLUSH_TIMEOUT: '2s', MW_INGEST_REPLAY_INTERVAL: '500ms' });
    cleanups.push(() => ingest.stop());

    const P = runPrefix('outage');
    const publisher = steadyPublisher(ingest.mqttUrl, P, { intervalMs: 20, meters: 50, clientId: `${P}-pub` });
    await new Promise((r) => setTimeout(r, 3_000));
    await questdb.stop();
    const downAt = publisher.acked.size;
    await new Promise((r) => setTimeout(r, 30_000));
    const ackedWhileDown = publisher.acked.size - downAt;
    const spooledWhileDown = ingest.tier.health();
    await questdb.start();
    await new Promise((r) => setTimeout(r, 3_000));
    await publisher.stop();

    // Acknowledgements went on while QuestDB was down (into the spool), at the publisher's rate.
    expect(ackedWhileDown).toBeGreaterThan(1_000);
    expect(spooledWhileDown.storage).toBe('spooling');
    expect(spooledWhileDown.spooled).toBeGreaterThan(1_000);

    await eventually(async () => ingest.tier.health().spooled === 0 && ingest.tier.health().storage === 'direct', 60_000, 500);
    await eventually(async () => {
      const { keys } = await storedKeys(sql, P);
      return [...publisher.acked].every((k) => keys.has(k));
    }, 60_000, 500);
    const { keys, rows } = await storedKeys(sql, P);
    expect(rows).toBe(keys.size); // exactly once
    expect([...publisher.acked].filter((k) => !keys.has(k))).toEqual([]);
    expect(ingest.tier.metrics.spoolAppends).toBeGreaterThan(0);
  }, 180_000);
});
