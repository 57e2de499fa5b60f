import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { heatingDegrees, validateWeatherRows } from './weather-input.ts';

const TZ = 'Asia/Shanghai';

describe('temperature upload validation', () => {
  it('accepts days with a mean in °C, dated at the local midnight, city-wide or per district', () => {
    const { days, problems } = validateWeatherRows([{ date: '2025-12-01', meanC: -3.5 }, { date: '2025-12-01', meanC: -5, district: '江北区', source: 'station 58362' }], TZ, false);
    expect(problems).toEqual([]);
    expect(days[0]).toEqual({ date: '2025-12-01', ts: DateTime.fromISO('2025-12-01T00:00:00+08:00').toMillis(), meanC: -3.5, district: undefined, source: undefined });
    expect(days[1]!.district).toBe('江北区');
  });

  it('names field and value of every bad cell, and keeps the good rows', () => {
    const { days, problems } = validateWeatherRows(
      [{ date: '2025-02-30', meanC: 1 }, { date: '2025-12-01T00:00:00+08:00', meanC: 1 }, { date: '2025-12-02', meanC: '4.5' }, { date: '2025-12-03', meanC: 140 }, { date: '2025-12-04', meanC: 2, windKmh: 3 }, { date: '2025-12-05', meanC: 2 }, 'x'],
      TZ,
      false,
    );
    expect(days.map((d) => d.date)).toEqual(['2025-12-05']);
    expect(problems).toEqual([
      { row: 1, field: 'date', value: '2025-02-30', reason: 'not a day of the calendar' },
      { row: 2, field: 'date', value: '2025-12-01T00:00:00+08:00', reason: 'expected a calendar day written YYYY-MM-DD' },
      { row: 3, field: 'meanC', value: '4.5', reason: 'expected a JSON number (°C)' },
      { row: 4, field: 'meanC', value: '140', reason: 'outside -70..60 °C (a daily mean in degrees Celsius)' },
      { row: 5, field: 'windKmh', value: '3', reason: 'unknown field; accepted: date, meanC, district, source' },
      { row: 7, field: '(row)', value: 'x', reason: 'expected an object with date, meanC and optional district, source' },
    ]);
  });

  it('reads numbers from CSV text, refuses a day repeated for the same series', () => {
    const { days, problems } = validateWeatherRows([{ date: '2025-12-01', meanC: '-2.25', district: '' }, { date: '2025-12-01', meanC: '-2', district: '' }, { date: '2025-12-01', meanC: 'cold' }], TZ, true);
    expect(days).toHaveLength(1);
    expect(days[0]!.meanC).toBe(-2.25);
    expect(problems.map((p) => [p.row, p.field, p.value])).toEqual([
      [2, 'date', '2025-12-01'],
      [3, 'meanC', 'cold'],
    ]);
  });

  it('counts heating degrees below the base only', () => {
    expect(heatingDegrees(-2, 18)).toBe(20);
    expect(heatingDegrees(21, 18)).toBe(0);
  });
});
