import { afterAll, describe, expect, inject, it } from 'vitest';
import { TypedBus } from '../core/bus.ts';
import { loadConfig } from '../core/config/index.ts';
import type { MeterwatchEvents } from '../core/events.ts';
import { silentLogger } from '../core/logger.ts';
import { AnalyticsService } from '../analytics/analytics-service.ts';
import { exportRows } from '../storage/questdb-export.ts';
import { sharedSql } from './support/questdb.ts';

// ~0.1–2 s of QuestDB's CPU: longer than the short limits below, far shorter than the long ones.
const SLOW = 'SELECT sum(rnd_double()) s FROM long_sequence(300000000)';
const sql = sharedSql();
const short = sql.withStatementTimeout(30);
const long = sql.withStatementTimeout(600_000);

afterAll(async () => {
  await short.close();
  await long.close();
});

describe('query time limits: the batch pass may wait longer on QuestDB than its default 60 s', () => {
  it('a client with a statement timeout has QuestDB abort a longer query, and lets it finish under a long one', async () => {
    await expect(short.query(SLOW)).rejects.toThrow(/timeout/);
    const [row] = await long.query<{ s: number }>(SLOW);
    expect(row!.s).toBeGreaterThan(0);
  });

  it('an export with a time limit is aborted by QuestDB and rejects; without one it streams', async () => {
    await expect(exportRows(inject('questdbHttpUrl'), SLOW, () => undefined, 30)).rejects.toThrow(/400.*timeout/);
    const rows: string[][] = [];
    expect(await exportRows(inject('questdbHttpUrl'), SLOW, (f) => rows.push(f), 600_000)).toBe(1);
    expect(Number(rows[0]![0])).toBeGreaterThan(0);
  });

  it('MW_ANALYTICS_QUERY_TIMEOUT reaches the connections and the exports of the batch pass', async () => {
    const bus = new TypedBus<MeterwatchEvents>(silentLogger());
    const config = loadConfig({ MW_ANALYTICS_SCHEDULE: '0', MW_ANALYTICS_STREAM: 'false', MW_ANALYTICS_QUERY_TIMEOUT: '30ms' });
    expect(config.analytics.queryTimeout).toBe(30);
    expect(loadConfig({}).analytics.queryTimeout).toBe(600_000);
    const service = new AnalyticsService({ sql, httpUrl: inject('questdbHttpUrl'), bus, config, log: silentLogger() });
    try {
      expect(service.batchSql.statementTimeoutMs).toBe(30);
      await expect(service.batchSql.query(SLOW)).rejects.toThrow(/timeout/);
      // The API's client keeps QuestDB's own limit.
      expect(sql.statementTimeoutMs).toBeUndefined();
    } finally {
      await service.stop();
    }
  });
});
