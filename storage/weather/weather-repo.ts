import type { WeatherDay } from '../../core/weather/weather-input.ts';
import { ilpLine, writeIlp } from '../ilp-http.ts';
import { epochMs, sqlString, sqlTimestamp, type SqlClient } from '../sql.ts';
import { waitForWalApplied } from '../wal-visibility.ts';

const TABLE = 'weather_daily';

export interface StoredWeatherDay {
  ts: number;
  district: string | undefined;
  meanC: number;
  source: string | undefined;
}

/** The daily temperature series (migration 060, docs/weather.md). */
export class WeatherRepo {
  constructor(
    private readonly sql: SqlClient,
    private readonly httpUrl: string,
  ) {}

  /**
   * Stores the days in ONE ILP request (one transaction: an upload is stored whole or not
   * at all) and waits until QuestDB applied it, so an analytics run started right after
   * the upload answers sees the new temperatures.
   */
  async write(days: readonly WeatherDay[], now: number = Date.now()): Promise<number> {
    if (days.length === 0) return 0;
    let body = '';
    for (const d of days) {
      body += ilpLine(TABLE, {
        ts: d.ts,
        symbols: { district: d.district },
        fields: {
          mean_c: { kind: 'double', value: d.meanC },
          source: d.source === undefined ? undefined : { kind: 'string', value: d.source },
          uploaded_at: { kind: 'timestamp', value: now },
        },
      });
    }
    await writeIlp(this.httpUrl, body);
    await waitForWalApplied(this.sql, TABLE, 60_000);
    return days.length;
  }

  /** Days in [from, to) of one district's own series, or of the city-wide series (district undefined), oldest first. */
  async list(from: number, to: number, district: string | undefined): Promise<StoredWeatherDay[]> {
    const which = district === undefined ? 'district IS NULL' : `district = ${sqlString(district)}`;
    const rows = await this.sql.query<{ ts: number; district: string | null; mean_c: number; source: string | null }>(
      `SELECT ${epochMs('ts')} ts, district, mean_c, source FROM ${TABLE}
       WHERE ts >= ${sqlTimestamp(from)} AND ts < ${sqlTimestamp(to)} AND ${which} ORDER BY ts`,
    );
    return rows.map((r) => ({ ts: Number(r.ts), district: r.district ?? undefined, meanC: Number(r.mean_c), source: r.source ?? undefined }));
  }
}
