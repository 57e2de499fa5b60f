import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsService } from '../analytics/analytics-service.ts';
import { loadMonthlyHdd } from '../analytics/batch/weather-query.ts';
import { TypedBus } from '../core/bus.ts';
import { loadConfig } from '../core/config/index.ts';
import type { MeterwatchEvents } from '../core/events.ts';
import { silentLogger } from '../core/logger.ts';
import { buildApp } from '../dashboard/app.ts';
import { WeatherRepo } from '../storage/weather/weather-repo.ts';
import { readingLine, registryLine, writeIlp } from './support/ilp.ts';
import { eventually, sharedEndpoints, sharedSql } from './support/questdb.ts';

/**
 * Weather normalisation through the real pipeline (issue 6 item 2): temperatures uploaded
 * over HTTP (JSON for one district, CSV for another) into QuestDB, the batch run by
 * POST /api/analytics/run, yoy_deviation alerts read back by GET /api/alerts with the HDD of
 * both months in their evidence. The data lies in 2019–2020, a window no other integration
 * file uses, so other files' runs and this one do not judge each other's meters.
 */
const TZ = 'Asia/Shanghai';
const at = (iso: string) => DateTime.fromISO(iso, { zone: TZ }).toMillis();
const DAY = 86_400_000;
const FROM = at('2019-01-01');
const AS_OF = at('2021-01-01');
const DEC_2020 = at('2020-12-01');
const NORTH = 'WX-North'; // December 2020 much colder than December 2019
const SOUTH = 'WX-South'; // December 2020 much milder

const sql = sharedSql();
const { httpUrl } = sharedEndpoints();
const log = silentLogger();
const config = loadConfig({ MW_ANALYTICS_SCHEDULE: '0' });
const analytics = new AnalyticsService({ sql, httpUrl, bus: new TypedBus<MeterwatchEvents>(log), config, log });
let app: Awaited<ReturnType<typeof buildApp>>;

/** A usual year's daily mean °C per calendar month; December 2020 set per district. */
const USUAL_C = [3, 5, 9, 15, 20, 24, 28, 28, 24, 18, 12, 6];
const DEC_2020_C: Record<string, number> = { [NORTH]: -6, [SOUTH]: 11 };
function meanC(district: string, t: number): number {
  const d = DateTime.fromMillis(t, { zone: TZ });
  return t >= DEC_2020 ? DEC_2020_C[district]! : USUAL_C[d.month - 1]!;
}
const days = (): number[] => Array.from({ length: Math.round((AS_OF - FROM) / DAY) }, (_, i) => DateTime.fromMillis(FROM, { zone: TZ }).plus({ days: i }).toMillis());
const dateOf = (t: number) => DateTime.fromMillis(t, { zone: TZ }).toFormat('yyyy-LL-dd');

/** Base load 3 m³/day plus 0.5 m³ per heating degree day, a small wobble; × fault from December 2020. */
function readings(meterId: string, district: string, fault = 1): string[] {
  let register = 1000;
  const lines: string[] = [];
  for (let t = FROM + 2 * 3_600_000; t < AS_OF + 2 * DAY; t += DAY) {
    lines.push(readingLine(meterId, t, Math.round(register * 1000) / 1000));
    const d = DateTime.fromMillis(t, { zone: TZ });
    const hdd = Math.max(0, 18 - meanC(district, t));
    register += (3 + 0.5 * hdd) * (1 + 0.03 * Math.sin(d.month * 1.7 + d.year)) * (t >= DEC_2020 ? fault : 1);
  }
  return lines;
}

type Json = Record<string, unknown>;
const post = async (payload: string | unknown[], contentType = 'application/json', query = '') =>
  app.inject({ method: 'POST', url: `/api/weather${query}`, headers: { 'content-type': contentType }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

beforeAll(async () => {
  app = await buildApp({ log, health: { broker: () => ({ state: 'up' }), storage: () => ({ state: 'up' }), ingest: () => ({ accepted: 0, rejected: 0, pending: 0, spooled: 0 }) }, alerts: { sql, analytics, zone: TZ }, weather: { weather: new WeatherRepo(sql, httpUrl), zone: TZ, baseC: config.analytics.hddBase }, ui: false });
  await analytics.start();
}, 120_000);

afterAll(async () => {
  await app.close();
  await analytics.stop();
  await sql.close();
});

describe('POST /api/weather', () => {
  it('refuses bad rows naming row, field and value; atomic uploads store nothing', async () => {
    const bad = await post([{ date: '2019-13-01', meanC: 3 }, { date: '2019-01-02', meanC: '3' }]);
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as Json).rejected).toEqual([
      { row: 1, field: 'date', value: '2019-13-01', reason: 'not a day of the calendar' },
      { row: 2, field: 'meanC', value: '3', reason: 'expected a JSON number (°C)' },
    ]);
    const atomic = await post([{ date: '2019-01-01', meanC: 3, district: 'WX-Atomic' }, { date: '2019-01-02' }], 'application/json', '?atomic=true');
    expect(atomic.statusCode).toBe(400);
    expect((atomic.json() as Json).written).toBe(0);
    const csv = await post('date,meanC,wind\n2019-01-01,3,4\n', 'text/csv');
    expect(csv.statusCode).toBe(400);
    expect(csv.json()).toMatchObject({ field: '(header)', value: 'wind' });
    expect((await app.inject({ url: '/api/weather?district=WX-Atomic&from=2018-12-01T00:00:00%2B08:00&to=2019-02-01T00:00:00%2B08:00' })).json()).toMatchObject({ items: [] });
  });

  it('stores a JSON series for one district and a CSV series for another, each day once', async () => {
    const north = days().map((t) => ({ date: dateOf(t), meanC: meanC(NORTH, t), district: NORTH, source: 'test station N' }));
    const res = await post([...north, { date: '2020-02-30', meanC: 1, district: NORTH }]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ written: 731, rejected: [{ row: 732, field: 'date', value: '2020-02-30', reason: 'not a day of the calendar' }] });
    const csv = ['date,meanC,district', ...days().map((t) => `${dateOf(t)},${meanC(SOUTH, t)},${SOUTH}`)].join('\n');
    expect((await post(csv, 'text/csv')).json()).toEqual({ written: 731, rejected: [] });
    // Sending a day again replaces it (DEDUP on day and district).
    expect((await post([{ date: '2020-12-31', meanC: DEC_2020_C[SOUTH], district: SOUTH }])).statusCode).toBe(200);
    const got = (await app.inject({ url: `/api/weather?district=${SOUTH}&from=2020-12-01T00:00:00%2B08:00&to=2021-01-01T00:00:00%2B08:00` })).json() as { items: { date: string; meanC: number; hdd: number }[] };
    expect(got.items).toHaveLength(31);
    expect(got.items[30]).toMatchObject({ date: '2020-12-31', meanC: 11, hdd: 7 });
  });

  it('answers HDD per month as the batch computes it in SQL (Node and QuestDB agree)', async () => {
    const q = `district=${NORTH}&granularity=month&from=2019-01-01T00:00:00%2B08:00&to=2021-01-01T00:00:00%2B08:00`;
    const months = ((await app.inject({ url: `/api/weather?${q}` })).json() as { items: { month: string; hdd: number; covered: boolean }[] }).items;
    expect(months).toHaveLength(24);
    expect(months.at(-1)).toMatchObject({ month: '2020-12', hdd: 24 * 31, covered: true });
    expect(months[11]).toMatchObject({ month: '2019-12', hdd: 12 * 31 });
    const fromSql = (await loadMonthlyHdd(sql, AS_OF, TZ, 18)).get(NORTH)!;
    expect(fromSql.size).toBe(24);
    for (const m of months) expect(fromSql.get(at(`${m.month}-01`))).toBeCloseTo(m.hdd, 6);
    const csv = await app.inject({ url: `/api/weather?${q}&format=csv` });
    expect(csv.body.split('\r\n')[0]).toBe('\uFEFFmonth,district,hdd,days,daysInMonth,coverage,covered');
    const badParam = await app.inject({ url: '/api/weather?granularity=week' });
    expect(badParam.statusCode).toBe(400);
    expect(badParam.json()).toMatchObject({ field: 'granularity', value: 'week' });
  });
});

describe('yoy_deviation with the uploaded temperatures', () => {
  beforeAll(async () => {
    // Readings first, then the registry: a run that sees the meters sees all their reads.
    await writeIlp([...readings('WX-N-COLD', NORTH), ...readings('WX-S-MILD', SOUTH), ...readings('WX-S-BYP', SOUTH, 0.7)]);
    await eventually(async () => Number((await sql.query(`SELECT count() n FROM readings WHERE meter_id IN ('WX-N-COLD', 'WX-S-MILD', 'WX-S-BYP')`))[0]!.n) === 3 * 733, 60_000);
    const meter = (meterId: string, district: string) => registryLine({ meterId, ts: FROM - DAY, category: 'commercial', kind: 'smart', status: 'active', customerId: `C-${meterId}`, district, qmax: 25, activatedAt: FROM - DAY });
    await writeIlp([meter('WX-N-COLD', NORTH), meter('WX-S-MILD', SOUTH), meter('WX-S-BYP', SOUTH)]);
    await eventually(async () => (await sql.query(`SELECT meter_id FROM meter_registry WHERE meter_id IN ('WX-N-COLD', 'WX-S-MILD', 'WX-S-BYP')`)).length === 3, 60_000);
    const run = await app.inject({ method: 'POST', url: '/api/analytics/run', payload: { asOf: '2021-01-01T00:00:00+08:00' } });
    expect(run.statusCode).toBe(200);
  }, 180_000);

  const decemberAlert = async (meterId: string) => {
    let alert: Json | undefined;
    await eventually(async () => {
      const items = ((await app.inject({ url: `/api/alerts?rule=yoy_deviation&meterId=${meterId}` })).json() as { items: Json[] }).items;
      alert = items.find((a) => a.periodStart === '2020-12-01T00:00:00+08:00');
      return alert !== undefined;
    }, 30_000);
    return alert!;
  };

  it('a cold December fires as written but ranks low; the evidence carries both months’ HDD and the expectation', async () => {
    const cold = await decemberAlert('WX-N-COLD');
    expect(cold.value as number).toBeGreaterThan(50); // raw rise against December 2019
    expect(cold.threshold).toBe(10);
    expect(cold.score as number).toBeLessThan(1);
    const e = cold.evidence as Json;
    expect(e).toMatchObject({ weatherNormalised: true, hdd: 744, previousYearHdd: 372, hddBaseC: 18, heatingResponse: true });
    expect(Math.abs(e.weatherNormalisedChangePercent as number)).toBeLessThan(5);
    expect(cold.message).toContain('HDD 744 against 372');
  });

  it('a −30 % drop in a mild December ranks far above the mild December of a sound neighbour', async () => {
    const bypass = await decemberAlert('WX-S-BYP');
    const mild = await decemberAlert('WX-S-MILD');
    expect(mild.value as number).toBeLessThan(-5);
    expect(mild.score as number).toBeLessThan(1);
    expect(bypass.score as number).toBeGreaterThan(3);
    expect((bypass.evidence as Json).hdd).toBe(217);
    expect((bypass.evidence as Json).weatherNormalisedChangePercent as number).toBeLessThan(-25);
  });
});
