import type { Migration } from './migration.ts';

/**
 * Daily mean outdoor temperature (issue 6 item 2: yoy_deviation weather normalisation with
 * heating degree days). One row per calendar day of the company time zone (`ts` = the day's
 * local midnight) and district; `district` null is the city-wide series, used for every
 * district without its own. Uploading a day again replaces it (DEDUP on day and district).
 * Version 60: outside the ranges handed to the other work streams (10–59).
 */
export const weatherDaily: Migration = {
  version: 60,
  name: 'weather daily',
  statements: [
    `CREATE TABLE IF NOT EXISTS weather_daily (
      ts TIMESTAMP,
      district SYMBOL CAPACITY 1024 CACHE,
      mean_c DOUBLE,
      source VARCHAR,
      uploaded_at TIMESTAMP
    ) TIMESTAMP(ts) PARTITION BY YEAR WAL DEDUP UPSERT KEYS(ts, district)`,
  ],
};
