/**
 * Scores the batch rules again on a fleet kept by `npm run bench:quality -- --data-dir DIR`,
 * without simulating it again (a 10k-meter back-fill takes ~25 minutes): opens the kept
 * QuestDB, runs one batch pass whose candidates are collected instead of stored, adds the
 * live-only alerts the kept run stored (large_flow in the month in progress: the stream's), and
 * matches them against the kept truth. A development aid: the figures to report come from a
 * full `bench:quality` run.
 *
 *   npx tsx benchmarks/quality/rescore.ts --data-dir DIR --keep benchmarks/results/tmp/quality-10000-42 --as-of 2026-11-27T00:00:00+08:00
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { loadConfig } from '../../core/config/index.ts';
import { createLogger } from '../../core/logger.ts';
import type { AlertCandidate } from '../../analytics/alerts/alert-candidate.ts';
import type { AlertSink } from '../../analytics/alerts/alert-sink.ts';
import { runBatch } from '../../analytics/batch/batch-engine.ts';
import { openStorage } from '../../storage/open-storage.ts';
import { SqlClient, sqlTimestamp } from '../../storage/sql.ts';
import { freePort } from '../support/system.ts';
import { matchTruth, type AlertOut, type ExpectedAlert } from './match-truth.ts';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, keep: { type: 'string' }, 'as-of': { type: 'string' }, out: { type: 'string' }, truth: { type: 'string' }, 'window-end': { type: 'string' } } });
const ZONE = 'Asia/Shanghai';
const iso = (ms: number) => DateTime.fromMillis(ms, { zone: ZONE }).toISO()!;

async function main(): Promise<void> {
  const keep = resolve(values.keep!);
  const asOf = DateTime.fromISO(values['as-of']!, { setZone: true }).toMillis();
  const log = createLogger('warn');
  const config = loadConfig({
    ...process.env,
    MW_DATA_DIR: resolve(values['data-dir']!),
    MW_CACHE_DIR: process.env.MW_CACHE_DIR ?? resolve('.meterwatch/cache'),
    MW_TIMEZONE: ZONE,
    MW_QUESTDB_HTTP_PORT: String(await freePort()),
    MW_QUESTDB_PG_PORT: String(await freePort()),
    MW_QUESTDB_HEALTH_PORT: String(await freePort()),
  });
  const storage = await openStorage(config, log);
  try {
    const collected: AlertCandidate[] = [];
    const sink = { submit: async (c: readonly AlertCandidate[]) => (collected.push(...c), { raised: c.length, updated: 0, unchanged: 0 }), waitVisible: async () => undefined } as unknown as AlertSink;
    // A pool as large as the batch's parallel queries: on the shared machine a query waiting
    // for one of the default four connections timed out after 10 s (the run this replaces died so).
    const sql = new SqlClient(storage.endpoints.pgUrl, log, 16);
    const summary = await runBatch(sql, sink, asOf, ZONE, config.analytics, log).finally(() => sql.close());
    // The stream's alerts for the month in progress, as the kept run stored them.
    const live = await storage.sql.query<{ meter_id: string; period_start: number; period_end: number; score: number }>(
      `SELECT meter_id, period_start, period_end, score FROM alerts WHERE rule = 'large_flow' AND period_end > ${sqlTimestamp(asOf)}`,
    );
    const liveOnly: AlertOut[] = live.map((a, i) => ({ id: `live${i}`, meterId: a.meter_id, rule: 'large_flow', periodStart: iso(Number(a.period_start)), periodEnd: iso(Number(a.period_end)), score: a.score }));
    // One alert per (meter, rule, period), as the alert sink stores them (interface.md §3).
    const unique = new Map<string, AlertCandidate>();
    for (const c of collected) if (!unique.has(`${c.meterId}|${c.rule}|${c.periodStart}`)) unique.set(`${c.meterId}|${c.rule}|${c.periodStart}`, c);
    const alerts: (AlertOut & { candidate?: AlertCandidate })[] = [
      ...[...unique.values()].map((c, i) => ({ id: String(i), meterId: c.meterId, rule: c.rule, periodStart: iso(c.periodStart), periodEnd: iso(c.periodEnd), score: c.score, candidate: c })),
      ...liveOnly,
    ];
    // As bench:quality: alerts dated after the simulated window are about time nobody simulated.
    const windowEnd = values['window-end'] ? DateTime.fromISO(values['window-end'], { setZone: true }).toMillis() : asOf;
    const scored = alerts.filter((a) => Date.parse(a.periodStart) <= windowEnd);
    const truth = readFileSync(values.truth ? resolve(values.truth) : join(keep, 'truth.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ExpectedAlert & { kind: string }).filter((l) => l.kind === 'expected_alert');
    const perRule = matchTruth(scored, truth, ZONE);
    writeFileSync(join(keep, 'rescored-alerts.json'), JSON.stringify(alerts));
    const result = { at: new Date().toISOString(), dataDir: values['data-dir'], asOf: iso(asOf), analyticsMs: summary.durationMs, phasesMs: summary.phasesMs, meters: summary.meters, alerts: scored.length, afterWindow: alerts.length - scored.length, liveOnlyAlerts: liveOnly.length, expected: truth.length, perRule };
    if (values.out) writeFileSync(values.out, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await storage.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`rescore failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
