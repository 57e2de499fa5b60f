import { DateTime } from 'luxon';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertSink } from '../analytics/alerts/alert-sink.ts';
import type { AlertCandidate } from '../analytics/alerts/alert-candidate.ts';
import { TypedBus } from '../core/bus.ts';
import type { MeterwatchEvents } from '../core/events.ts';
import { silentLogger } from '../core/logger.ts';
import { sharedEndpoints, sharedSql } from './support/questdb.ts';

/**
 * A batch pass hands the sink hundreds of thousands of alerts; past 2,000 their lines go to
 * QuestDB from a worker thread (storage/ilp-off-thread.ts) in buffers of 16 MB. Every alert
 * must arrive once, with its text intact (quotes, backslashes and a line break in evidence
 * and message), and be readable when submit resolves.
 */
const sql = sharedSql();
const TZ = 'Asia/Shanghai';
const month = (i: number) => DateTime.fromObject({ year: 2024, month: 1 }, { zone: TZ }).plus({ months: i }).toMillis();

afterAll(async () => {
  await sql.exec(`DELETE FROM alerts WHERE meter_id LIKE 'LW-%'`).catch(() => undefined);
});

describe('AlertSink, a large write', () => {
  it('stores every alert of a 12,000-alert submission once, text intact, readable on return', async () => {
    const bus = new TypedBus<MeterwatchEvents>(silentLogger());
    const raised: string[] = [];
    bus.on('alert.raised', ({ alert }) => void raised.push(alert.id));
    const sink = new AlertSink(sql, sharedEndpoints().httpUrl, bus, silentLogger());
    const candidates: AlertCandidate[] = [];
    // Meter by meter, as a rule produces them: the sink writes them in period order.
    for (let m = 0; m < 1_000; m++) {
      for (let i = 0; i < 12; i++) {
        candidates.push({ meterId: `LW-${m}`, customerId: `LW-C${m}`, district: 'LW D', route: 'LW,1', rule: 'residential_high', severity: 'warning', periodStart: month(i), periodEnd: month(i + 1), value: 30 + i, threshold: 30, score: i / 7, message: `"${m}" used\nmore`, evidence: { note: 'a "quoted" back\\slash', m, i } });
      }
    }
    const result = await sink.submit(candidates);
    expect(result).toEqual({ raised: 12_000, updated: 0, unchanged: 0 });
    const [count] = await sql.query<{ n: number }>(`SELECT count() n FROM alerts WHERE meter_id LIKE 'LW-%'`);
    expect(Number(count!.n)).toBe(12_000);
    const [row] = await sql.query<{ message: string; evidence: string; route: string; district: string }>(`SELECT message, evidence, route, district FROM alerts WHERE meter_id = 'LW-7' AND period_start = ${month(3) * 1000}`);
    expect(row!.message).toBe('"7" used more');
    expect(JSON.parse(row!.evidence)).toEqual({ note: 'a "quoted" back\\slash', m: 7, i: 3 });
    expect([row!.route, row!.district]).toEqual(['LW,1', 'LW D']);
    expect(raised).toHaveLength(12_000);
    // Submitted again: known, nothing written twice.
    expect(await sink.submit(candidates.map((c) => ({ ...c })))).toEqual({ raised: 0, updated: 0, unchanged: 12_000 });
  }, 120_000);

  it('fails the submission with a storage error naming the status when QuestDB refuses the lines', async () => {
    const bus = new TypedBus<MeterwatchEvents>(silentLogger());
    // QuestDB's HTTP endpoint under a path it does not serve: it refuses the POST.
    const sink = new AlertSink(sql, `${sharedEndpoints().httpUrl}/no-such-prefix`, bus, silentLogger());
    const candidates: AlertCandidate[] = Array.from({ length: 2_500 }, (_, i) => ({ meterId: `LW-X${i}`, rule: 'residential_high' as const, severity: 'warning' as const, periodStart: month(0), periodEnd: month(1), value: 31, threshold: 30, score: 1, message: 'x', evidence: {} }));
    await expect(sink.submit(candidates)).rejects.toThrow(/QuestDB \/write answered 4\d\d/);
  }, 60_000);
});
