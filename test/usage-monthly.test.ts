import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarEdges } from '../core/usage/calendar.ts';
import { registerSegments, usageByPeriod, type RegisterRead } from '../core/usage/register-usage.ts';
import { ilpLine, writeIlp } from '../storage/ilp-http.ts';
import { sqlString } from '../storage/sql.ts';
import { materializeMonthlyUsage, monthlyUsage, readMaterializedMonthlyUsage } from '../storage/usage/monthly-usage.ts';
import { loadReadings, postReadings, readAmpds2Hourly } from './support/load-readings.ts';
import { startTestIngest } from './support/ingest.ts';
import { eventually, sharedEndpoints, sharedSql } from './support/questdb.ts';

const sql = sharedSql();
const { httpUrl } = sharedEndpoints();
afterAll(() => sql.close());

async function rowsVisible(table: string, meterId: string, n: number): Promise<void> {
  await eventually(async () => {
    const [r] = await sql.query<{ n: string }>(`SELECT count() n FROM ${table} WHERE meter_id = ${sqlString(meterId)}`);
    return Number(r?.n) === n;
  }, 30_000);
}

describe('month usage of the AMPds2 furnace gas register (real data, hourly)', () => {
  const hours = readAmpds2Hourly();
  const meterId = 'AMPDS2-FRG';
  // A point for every hour end, plus the register at the start of the first hour.
  const reads: RegisterRead[] = [
    { ts: hours[0]!.hourStart, reading: hours[0]!.registerEnd - hours[0]!.consumption },
    ...hours.map((h) => ({ ts: h.hourStart + 3_600_000, reading: h.registerEnd })),
  ];

  beforeAll(async () => {
    // Through the ingest path, as a device or the billing system would send them (issue 4 acceptance).
    const ingest = await startTestIngest(httpUrl, sql);
    try {
      expect(await postReadings(ingest.app, reads.map((r) => ({ meterId, ...r })))).toBe(reads.length);
    } finally {
      await ingest.stop();
    }
    await rowsVisible('readings', meterId, reads.length);
  }, 300_000);

  it('matches the file’s own consumption column for each of the 24 months (house zone America/Vancouver)', async () => {
    const zone = 'America/Vancouver';
    const from = DateTime.fromISO('2012-04-01T00:00', { zone }).toMillis();
    const to = DateTime.fromISO('2014-04-01T00:00', { zone }).toMillis();
    const expected = new Map<number, number>();
    for (const h of hours) {
      const m = DateTime.fromMillis(h.hourStart, { zone }).startOf('month').toMillis();
      expected.set(m, (expected.get(m) ?? 0) + h.consumption);
    }
    const rows = await monthlyUsage(sql, { from, to, zone, meterIds: [meterId] });
    expect(rows).toHaveLength(24);
    expect(expected.size).toBe(24);
    // The file rounds register and consumption to 0.1 L separately (644 of its hours differ
    // by 0.0001 m³ from the register delta): summed over a month that is up to 1.3 L
    // (measured, January 2013), so months must agree within 2 L of ~0–136 m³.
    for (const row of rows) {
      expect(row.coverage).toBeCloseTo(1, 9);
      expect(row.estimated).toBe(false);
      expect(Math.abs(row.usage - (expected.get(row.monthStart) ?? NaN))).toBeLessThan(0.002);
    }
    const total = rows.reduce((s, r) => s + r.usage, 0);
    expect(total).toBeCloseTo(hours.at(-1)!.registerEnd - reads[0]!.reading, 6);
    // The dataset README: furnace off in summer, winter months 110–136 m³.
    const january2013 = rows.find((r) => r.monthStart === DateTime.fromISO('2013-01-01T00:00', { zone }).toMillis());
    expect(january2013?.usage).toBeGreaterThan(110);
    expect(january2013?.usage).toBeLessThan(137);
  });

  it('agrees with the pure TypeScript model in the company zone, month by month', async () => {
    const zone = 'Asia/Shanghai';
    const from = DateTime.fromISO('2012-05-01T00:00', { zone }).toMillis();
    const to = DateTime.fromISO('2014-03-01T00:00', { zone }).toMillis();
    const reference = usageByPeriod(registerSegments(reads), calendarEdges(from, to, 'month', zone));
    const rows = await monthlyUsage(sql, { from, to, zone, meterIds: [meterId] });
    expect(rows.map((r) => r.monthStart)).toEqual(reference.map((p) => p.start));
    rows.forEach((row, i) => expect(Math.abs(row.usage - (reference[i]?.usage ?? NaN))).toBeLessThan(1e-6));
  });
});

describe('SQL month usage on hand-made registers: replacement, estimate, backwards read, long gap', () => {
  const zone = 'Asia/Shanghai';
  const t = (iso: string) => DateTime.fromISO(iso, { zone }).toMillis();
  const meterId = 'HAND-1';
  const reads: (RegisterRead & { estimated?: boolean })[] = [
    { ts: t('2025-01-17T09:00'), reading: 100 },
    { ts: t('2025-02-17T09:00'), reading: 131, estimated: true },
    { ts: t('2025-03-17T09:00'), reading: 20 }, // new register since 1 March
    { ts: t('2025-04-17T09:00'), reading: 15 }, // runs backwards: counts 0
    { ts: t('2025-08-17T09:00'), reading: 137 }, // four-month gap
    { ts: t('2025-08-17T09:00') + 1, reading: 137 },
  ];
  const swap = { meterId, ts: t('2025-03-01T00:00'), finalReading: 150, newReading: 0 };

  beforeAll(async () => {
    await loadReadings(httpUrl, reads.map((r) => ({ meterId, ...r })));
    await writeIlp(
      httpUrl,
      ilpLine('meter_replacements', {
        ts: swap.ts,
        symbols: { meter_id: meterId },
        fields: { final_reading: { kind: 'double', value: swap.finalReading }, new_reading: { kind: 'double', value: swap.newReading } },
      }),
    );
    await rowsVisible('readings', meterId, reads.length);
    await rowsVisible('meter_replacements', meterId, 1);
  });

  it('gives exactly what the TypeScript reference gives', async () => {
    const from = t('2025-01-01T00:00');
    const to = t('2025-10-01T00:00');
    const reference = usageByPeriod(registerSegments(reads, [swap]), calendarEdges(from, to, 'month', zone)).filter((p) => p.coverage > 0);
    const rows = await monthlyUsage(sql, { from, to, zone, meterIds: [meterId] });
    expect(rows.map((r) => [r.monthStart, r.estimated])).toEqual(reference.map((p) => [p.start, p.estimated]));
    rows.forEach((row, i) => {
      expect(row.usage).toBeCloseTo(reference[i]!.usage!, 6);
      expect(row.coverage).toBeCloseTo(reference[i]!.coverage, 6);
    });
    // Hand check of the replacement month: the old register's 131 → 150 (17 Feb → 1 Mar) lies
    // in February; the new register's 0 → 20 (1 Mar → 17 Mar) in March; 17 Mar → 17 Apr runs
    // backwards (20 → 15) and counts 0. So March = 20 exactly, and February = 19 + 31·(17 Feb
    // 09:00 − 1 Feb)/(17 Feb − 17 Jan).
    const march = rows.find((r) => r.monthStart === t('2025-03-01T00:00'));
    expect(march?.usage).toBeCloseTo(20, 9);
    const february = rows.find((r) => r.monthStart === t('2025-02-01T00:00'));
    expect(february?.usage).toBeCloseTo(19 + (31 * (t('2025-02-17T09:00') - t('2025-02-01T00:00'))) / (t('2025-02-17T09:00') - t('2025-01-17T09:00')), 9);
    expect(rows.every((r) => r.usage >= 0)).toBe(true);
  });

  it('materialises into usage_monthly and reads back the same figures', async () => {
    const from = t('2025-01-01T00:00');
    const to = t('2025-10-01T00:00');
    const direct = await monthlyUsage(sql, { from, to, zone, meterIds: [meterId] });
    await materializeMonthlyUsage(sql, { from, to, zone, meterIds: [meterId] });
    const stored = (await readMaterializedMonthlyUsage(sql, from, to)).filter((r) => r.meterId === meterId);
    expect(stored.map((r) => [r.monthStart, r.estimated])).toEqual(direct.map((r) => [r.monthStart, r.estimated]));
    stored.forEach((r, i) => expect(r.usage).toBeCloseTo(direct[i]!.usage, 9));
  });
});
