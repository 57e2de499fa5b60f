import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TypedBus } from '../core/bus.ts';
import { loadConfig } from '../core/config/index.ts';
import type { MeterwatchEvents } from '../core/events.ts';
import { silentLogger } from '../core/logger.ts';
import type { Alert } from '../core/types.ts';
import { AnalyticsService } from '../analytics/analytics-service.ts';
import { queryAlerts } from '../analytics/alerts/alert-query.ts';
import { readingLine, registryLine, writeIlp, type RegistryLine } from './support/ilp.ts';
import { eventually, sharedSql } from './support/questdb.ts';

const TZ = 'Asia/Shanghai';
const at = (iso: string) => DateTime.fromISO(iso, { zone: TZ }).toMillis();
const DAY = 86_400_000;
const START = at('2024-09-01');
const AS_OF = at('2026-11-01');
const P = 'AB-'; // this file's meters

const sql = sharedSql();
const bus = new TypedBus<MeterwatchEvents>(silentLogger());
const config = loadConfig({ MW_ANALYTICS_SCHEDULE: '0' });
const service = new AnalyticsService({ sql, httpUrl: inject('questdbHttpUrl'), bus, config, log: silentLogger() });
const raised: Alert[] = [];
bus.on('alert.raised', ({ alert }) => void raised.push(alert));

/** Daily usage of a household: winter-heavy season, ~10 m³ a month on average. */
function dailyUse(t: number, scale = 1): number {
  const month = DateTime.fromMillis(t, { zone: TZ }).month;
  return scale * (10 / 30) * (1 + 0.6 * Math.cos((2 * Math.PI * (month - 1)) / 12));
}

/** Daily reads at 02:00 from START to `end`, register advancing by `use(t)`. */
function series(meterId: string, end: number, use: (t: number, register: number) => number, extra: (t: number) => { flow?: number; flags?: string[] } = () => ({})): string[] {
  const lines: string[] = [];
  let register = 100;
  for (let t = START + 2 * 3_600_000; t < end; t += DAY) {
    register += use(t, register);
    lines.push(readingLine(meterId, t, Math.round(register * 1000) / 1000, extra(t)));
  }
  return lines;
}

const meter = (id: string, over: Partial<RegistryLine> = {}): RegistryLine => ({ meterId: P + id, ts: START - DAY, category: 'residential', kind: 'smart', status: 'active', customerId: `C-${id}`, district: 'D1', activatedAt: START - DAY, ...over });

beforeAll(async () => {
  const registry = [
    meter('NORM'),
    meter('HIGH'),
    meter('STUCK'),
    meter('DEAD'),
    meter('BACK'),
    meter('TAMPER'),
    meter('FLOW', { category: 'commercial', qmax: 100 }),
    meter('COM', { category: 'commercial', qmax: 25 }),
    meter('VAC'),
    { ...meter('VAC'), ts: at('2026-03-01'), status: 'vacant' },
  ];
  const lines = [
    ...series(P + 'NORM', AS_OF, (t) => dailyUse(t)),
    ...series(P + 'HIGH', AS_OF, (t) => (t >= at('2026-10-01') ? 1.5 : dailyUse(t))),
    ...series(P + 'STUCK', AS_OF, (t) => (t >= at('2026-10-05') ? 0 : dailyUse(t))),
    ...series(P + 'DEAD', at('2026-10-20'), (t) => dailyUse(t)),
    ...series(P + 'BACK', AS_OF, (t, r) => (DateTime.fromMillis(t, { zone: TZ }).toISODate() === '2026-06-10' ? -r + 50 : dailyUse(t))),
    ...series(P + 'TAMPER', AS_OF, (t) => dailyUse(t), (t) => (DateTime.fromMillis(t, { zone: TZ }).toISODate() === '2026-08-03' ? { flags: ['magnet'] } : {})),
    ...series(P + 'FLOW', AS_OF, (t) => 20 * dailyUse(t), (t) => ({ flow: DateTime.fromMillis(t, { zone: TZ }).toISODate() === '2026-09-12' ? 55 : 2 })),
    // Commercial: same every year, then +30 % in October 2026 (yoy), and nothing else.
    ...series(P + 'COM', AS_OF, (t) => 10 * dailyUse(t) * (t >= at('2026-10-01') ? 1.3 : 1)),
    ...series(P + 'VAC', AS_OF, (t) => (t >= at('2026-03-01') && t < at('2026-06-01') ? 0.05 : t >= at('2026-03-01') ? 0 : dailyUse(t))),
  ];
  await writeIlp([...registry.map(registryLine), ...lines]);
  const written = Date.now();
  await eventually(async () => {
    const [r] = await sql.query<{ n: number }>(`SELECT count() n FROM readings WHERE meter_id LIKE '${P}%'`);
    const [g] = await sql.query<{ n: number }>(`SELECT count() n FROM meter_registry WHERE meter_id LIKE '${P}%'`);
    return Number(r?.n) === lines.length && Number(g?.n) === registry.length;
  }, 150_000, 500);
  console.log(`fixture visible after ${Date.now() - written} ms`);
  await service.start();
});

afterAll(async () => {
  await service.stop();
  await sql.close();
});

function ours(alerts: readonly Alert[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const a of alerts) {
    if (!a.meterId.startsWith(P)) continue;
    const key = a.meterId.slice(P.length);
    m.set(key, [...(m.get(key) ?? []), `${a.rule}@${DateTime.fromMillis(a.periodStart, { zone: TZ }).toFormat('yyyy-LL-dd')}`]);
  }
  for (const v of m.values()) v.sort();
  return m;
}

describe('batch analytics on a hand-made fleet in the real QuestDB', () => {
  it('raises exactly the injected faults, each on its meter and period', async () => {
    const summary = await service.run(AS_OF);
    expect(summary.raised).toBeGreaterThan(0);
    const got = ours(raised);
    expect(got.get('NORM')).toBeUndefined();
    expect(got.get('HIGH')).toEqual(['residential_high@2026-10-01']);
    expect(got.get('STUCK')?.map((s) => s.split('@')[0])).toEqual(['stuck_meter']);
    expect(got.get('DEAD')?.map((s) => s.split('@')[0])).toEqual(['dead_meter']);
    expect(got.get('BACK')).toEqual(['broken_meter@2026-06-10']);
    expect(got.get('TAMPER')).toEqual(['tamper@2026-08-03']);
    expect(got.get('FLOW')).toEqual(['large_flow@2026-09-01']);
    expect(got.get('COM')).toEqual(['yoy_deviation@2026-10-01']);
    expect(got.get('VAC')?.map((s) => s.split('@')[0])).toEqual(['usage_while_inactive']);
  });

  it('carries evidence and a score an analyst can check', () => {
    const high = raised.find((a) => a.meterId === `${P}HIGH`)!;
    expect(high.value).toBeCloseTo(46.5, 0);
    expect(high.threshold).toBe(30);
    expect(high.score).toBeGreaterThan(3);
    const yoy = raised.find((a) => a.meterId === `${P}COM`)!;
    expect(yoy.value).toBeGreaterThan(25); // +30 % injected; edge days of the month blend the seasons
    expect(yoy.value).toBeLessThan(35);
    expect(yoy.evidence).toMatchObject({ previousYearStart: at('2025-10-01') });
  });

  it('raises nothing new when run again, and stores one row per alert', async () => {
    const before = raised.length;
    const again = await service.run(AS_OF);
    expect(again.raised).toBe(0);
    expect(raised.length).toBe(before);
    const expected = raised.filter((a) => a.meterId.startsWith(P)).length;
    await eventually(async () => (await queryAlerts(sql, { limit: 1000, sort: 'raisedAt' })).items.filter((a) => a.meterId.startsWith(P)).length === expected);
    const rows = await sql.query<{ n: number }>(`SELECT count() n FROM alerts WHERE meter_id LIKE '${P}%'`);
    expect(Number(rows[0]!.n)).toBe(expected);
  });

  it('judges the past: as of September 2026 the October faults do not exist yet', async () => {
    const sink: Alert[] = [];
    const off = bus.on('alert.raised', ({ alert }) => void sink.push(alert));
    await service.run(at('2026-09-01'));
    off();
    expect(sink.filter((a) => a.meterId === `${P}HIGH` || a.meterId === `${P}COM`)).toEqual([]);
  });

  it('reads the same context over /exp (CSV) as over the PG wire', async () => {
    const { loadBatchContext } = await import('../analytics/batch/load-context.ts');
    const overPg = await loadBatchContext({ sql }, AS_OF, TZ, config.analytics);
    const overExp = await loadBatchContext({ sql, httpUrl: inject('questdbHttpUrl') }, AS_OF, TZ, config.analytics);
    const mine = (ctx: typeof overPg) => [...ctx.meters.entries()].filter(([id]) => id.startsWith(P)).sort(([a], [b]) => a.localeCompare(b));
    expect(mine(overPg).length).toBeGreaterThan(5);
    expect(mine(overExp)).toEqual(mine(overPg));
    expect(mine(overExp).find(([id]) => id === P + 'FLOW')![1].monthPeakFlow.size).toBeGreaterThan(0);
  });
});
