import { DateTime } from 'luxon';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import { SqlClient } from '../../storage/sql.ts';
import { WeatherRepo } from '../../storage/weather/weather-repo.ts';
import { buildApp } from '../app.ts';
import { monthlyHddOf } from './weather.ts';

const TZ = 'Asia/Shanghai';
const day = (iso: string, meanC: number) => ({ ts: DateTime.fromISO(iso, { zone: TZ }).toMillis(), district: undefined, meanC, source: undefined });

describe('monthlyHddOf (the month view of GET /api/weather)', () => {
  it('sums the degrees below the base per calendar month of the company zone, scaling covered months', () => {
    const feb = Array.from({ length: 27 }, (_, i) => day(`2025-02-${String(i + 1).padStart(2, '0')}`, 8)); // 27 of 28 days
    const months = monthlyHddOf([day('2025-01-31', 20), ...feb, day('2025-03-01', -2)], TZ, 18);
    expect(months).toEqual([
      { month: '2025-01', hdd: 0, days: 1, daysInMonth: 31, coverage: 0.032, covered: false },
      { month: '2025-02', hdd: 280, days: 27, daysInMonth: 28, coverage: 0.964, covered: true },
      { month: '2025-03', hdd: 20, days: 1, daysInMonth: 31, coverage: 0.032, covered: false },
    ]);
  });
});

describe('/api/weather input checks (answered before any storage access)', () => {
  // A pool that is never used: every request below fails validation first.
  const sql = new SqlClient('postgres://nobody:none@127.0.0.1:1/none', silentLogger());
  const appP = buildApp({ log: silentLogger(), health: { broker: () => ({ state: 'up' }), storage: () => ({ state: 'up' }), ingest: () => ({ accepted: 0, rejected: 0, pending: 0, spooled: 0 }) }, weather: { weather: new WeatherRepo(sql, 'http://127.0.0.1:1'), zone: TZ, baseC: 18 }, ui: false });
  afterAll(async () => {
    await (await appP).close();
    await sql.close();
  });

  it('names field and value of a bad body or parameter', async () => {
    const app = await appP;
    const notArray = await app.inject({ method: 'POST', url: '/api/weather', payload: { date: '2025-01-01', meanC: 1 } });
    expect(notArray.statusCode).toBe(400);
    expect(notArray.json()).toMatchObject({ field: '(body)', value: 'object' });
    const none = await app.inject({ method: 'POST', url: '/api/weather', payload: [{ date: '1 Jan 2025', meanC: 1 }] });
    expect(none.json()).toEqual({ error: 'MW_ERR_VALIDATION', written: 0, rejected: [{ row: 1, field: 'date', value: '1 Jan 2025', reason: 'expected a calendar day written YYYY-MM-DD' }] });
    const from = await app.inject({ url: '/api/weather?from=yesterday' });
    expect(from.statusCode).toBe(400);
    expect(from.json()).toMatchObject({ field: 'from', value: 'yesterday' });
  });

  it('is described in the OpenAPI document at /docs', async () => {
    const app = await appP;
    const doc = (await app.inject({ url: '/docs/json' })).json() as { paths: Record<string, Record<string, { tags?: string[] }>> };
    expect(doc.paths['/api/weather']?.post?.tags).toEqual(['weather']);
    expect(doc.paths['/api/weather']?.get?.tags).toEqual(['weather']);
  });
});
