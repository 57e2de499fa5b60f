import { describe, expect, it, beforeAll } from 'vitest';
import { lastRegisterChange, type FlatRow } from '../analytics/batch/queries.ts';
import { registerFlat } from '../analytics/batch/register-flat.ts';
import { readingLine, writeIlp } from './support/ilp.ts';
import { eventually, sharedSql } from './support/questdb.ts';

const sql = sharedSql();
const P = 'LRC-'; // this file's meters
const T0 = Date.UTC(2025, 0, 1);
const DAY = 86_400_000;
const AS_OF = T0 + 40 * DAY;
let rows: Map<string, FlatRow>;

/** Every series written, as registers one day apart from its start. */
const series = new Map<string, { from: number; registers: readonly number[] }>();
/** Reads one day apart from T0, with these registers. */
const reads = (meterId: string, registers: readonly number[], from = T0) => {
  series.set(meterId, { from, registers });
  return registers.map((r, i) => readingLine(P + meterId, from + i * DAY, r));
};

beforeAll(async () => {
  await writeIlp([
    ...reads('NEVER', [7, 7, 7]),
    ...reads('FLAT-TAIL', [1, 2, 3, 3, 3]),
    ...reads('BACK-AND-FORTH', [5, 6, 5, 5]),
    ...reads('MOVING', [1, 2, 3]),
    ...reads('NOISE', [10, 10.0004, 10.0004]),
    ...reads('SINGLE-STEPS', [12.345, 12.346, 12.347, 12.347]),
    ...reads('AFTER-ASOF', [1, 1, 2], AS_OF - DAY),
  ]);
  await eventually(async () => (await sql.query<{ n: number }>(`SELECT count() n FROM readings WHERE meter_id LIKE '${P}%'`))[0]!.n >= 25);
  rows = new Map((await lastRegisterChange(sql, AS_OF)).filter((r) => r.meter_id.startsWith(P)).map((r) => [r.meter_id.slice(P.length), r]));
});

describe('lastRegisterChange: when the register last moved, and since when it stands still', () => {
  it('a register that never changed: no change, flat since its first read', () => {
    expect(rows.get('NEVER')).toMatchObject({ last_change: null, flat_since: T0, first_ts: T0, reads: 3 });
  });

  it('a register that stopped: the last read before it stopped, and the first read showing the standing value', () => {
    expect(rows.get('FLAT-TAIL')).toMatchObject({ last_change: T0 + DAY, flat_since: T0 + 2 * DAY, first_ts: T0, reads: 5 });
  });

  it('a register back at an earlier value: the change is the read in between, not the earlier equal one', () => {
    expect(rows.get('BACK-AND-FORTH')).toMatchObject({ last_change: T0 + DAY, flat_since: T0 + 2 * DAY, reads: 4 });
  });

  it('a register still moving: flat only since its newest read', () => {
    expect(rows.get('MOVING')).toMatchObject({ last_change: T0 + DAY, flat_since: T0 + 2 * DAY });
  });

  it('a step below half the register resolution (0.001 m³) is not a change; one step of the last digit is', () => {
    expect(rows.get('NOISE')).toMatchObject({ last_change: null, flat_since: T0 });
    expect(rows.get('SINGLE-STEPS')).toMatchObject({ last_change: T0 + DAY, flat_since: T0 + 2 * DAY, reads: 4 });
  });

  it('reads after asOf are not seen', () => {
    expect(rows.get('AFTER-ASOF')).toMatchObject({ last_change: null, flat_since: AS_OF - DAY, reads: 2 });
  });

  it('computed from the reads themselves (register-flat.ts, for meters whose month aggregates hold every read) it is the same', () => {
    expect(series.size).toBe(7);
    for (const [meterId, { from, registers }] of series) {
      const flat = registerFlat(registers.map((r, i) => ({ t: from + i * DAY, r })), AS_OF);
      const row = rows.get(meterId)!;
      expect({ meterId, ...flat }).toEqual({ meterId, lastChange: row.last_change ?? undefined, flatSince: row.flat_since, firstTs: row.first_ts, reads: Number(row.reads) });
    }
    expect(registerFlat([{ t: AS_OF + 1, r: 5 }], AS_OF)).toBeUndefined();
  });
});
