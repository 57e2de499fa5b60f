import { beforeAll, describe, expect, it } from 'vitest';
import { intervalsFromPoints } from '../analytics/batch/intervals-from-points.ts';
import { flaggedReads, suspiciousIntervals, type IntervalRow } from '../analytics/batch/queries.ts';
import type { MeterSeries } from '../analytics/rules/context.ts';
import { readingLine, registryLine, writeIlp } from './support/ilp.ts';
import { eventually, sharedSql } from './support/questdb.ts';

const sql = sharedSql();
const P = 'IFP-'; // this file's meters
const T0 = Date.UTC(2025, 0, 1);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const AS_OF = T0 + 40 * DAY;
const FLOOR = 40;
const QMAX = 6;

interface Read {
  t: number;
  r: number;
  flags?: string[];
  estimated?: boolean;
}
/** Every series written: what the month aggregates would hand the batch (non-estimated reads, in time order). */
const series = new Map<string, Read[]>();
const qmaxOf = new Map<string, number>();
const meter = (id: string, reads: Read[], qmax = QMAX) => {
  series.set(P + id, reads);
  qmaxOf.set(P + id, qmax);
};

meter('STEADY', [{ t: T0, r: 10 }, { t: T0 + 30 * DAY, r: 40 }]);
meter('BACKWARDS', [{ t: T0, r: 50 }, { t: T0 + 30 * DAY, r: 49.5 }, { t: T0 + 35 * DAY, r: 60 }]);
meter('JITTER', [{ t: T0, r: 50 }, { t: T0 + DAY, r: 49.9995 }]); // within the register's resolution
meter('FAST', [{ t: T0, r: 0 }, { t: T0 + 2 * HOUR, r: 2 * FLOOR }], 100); // exactly at the floor
meter('NEARLY-FAST', [{ t: T0, r: 0 }, { t: T0 + 2 * HOUR, r: 2 * FLOOR - 0.01 }], 100);
meter('OVER-QMAX', [{ t: T0, r: 0 }, { t: T0 + HOUR, r: QMAX * 1.1 + 0.06 }]); // below the floor, beyond Qmax
meter('AT-QMAX', [{ t: T0, r: 0 }, { t: T0 + HOUR, r: QMAX * 1.1 + 0.04 }]);
meter('FLAGGED', [{ t: T0, r: 1, flags: ['magnet'] }, { t: T0 + 10 * DAY, r: 2 }, { t: T0 + 20 * DAY, r: 3, flags: ['tilt', 'cover_open'] }]);
meter('ESTIMATED', [{ t: T0, r: 1 }, { t: T0 + 10 * DAY, r: 0.5, estimated: true }, { t: T0 + 20 * DAY, r: 2 }]);
meter('AFTER-ASOF', [{ t: AS_OF - DAY, r: 5 }, { t: AS_OF + DAY, r: 1 }, { t: AS_OF + 2 * DAY, r: 500 }]);

const byKey = (rows: readonly IntervalRow[]) =>
  new Map(rows.filter((r) => r.meter_id.startsWith(P)).map((r) => [`${r.meter_id.slice(P.length)}@${(r.ts - T0) / HOUR}h`, { ...r, flags: r.flags === null ? null : JSON.parse(r.flags) }]));

let fromSql: ReturnType<typeof byKey>;
let fromPoints: ReturnType<typeof byKey>;

beforeAll(async () => {
  const lines: string[] = [];
  for (const [id, reads] of series) {
    lines.push(registryLine({ meterId: id, ts: T0 - DAY, category: 'residential', kind: 'mechanical', status: 'active', qmax: qmaxOf.get(id)! }));
    for (const read of reads) lines.push(read.estimated ? `readings,meter_id=${id},source=http reading=${read.r},estimated=t ${read.t}` : readingLine(id, read.t, read.r, read.flags ? { flags: read.flags } : {}));
  }
  await writeIlp(lines);
  const total = [...series.values()].reduce((n, reads) => n + reads.length, 0);
  await eventually(async () => (await sql.query<{ n: number }>(`SELECT count() n FROM readings WHERE meter_id LIKE '${P}%'`))[0]!.n >= total);
  await eventually(async () => (await sql.query<{ n: number }>(`SELECT count() n FROM meter_registry WHERE meter_id LIKE '${P}%'`))[0]!.n >= series.size);
  fromSql = byKey(await suspiciousIntervals(sql, 0, AS_OF, FLOOR));
  const meters = new Map<string, MeterSeries>();
  for (const [id, reads] of series) {
    const points = reads.filter((r) => !r.estimated).map(({ t, r }) => ({ t, r }));
    meters.set(id, { info: { meterId: id, blacklisted: false, qmax: qmaxOf.get(id)! }, statuses: [], points, months: [], monthPeakFlow: new Map() });
  }
  const flagged = (await flaggedReads(sql, AS_OF)).filter((f) => f.meter_id.startsWith(P));
  fromPoints = byKey(intervalsFromPoints(meters, flagged, AS_OF, FLOOR)!);
});

describe('suspicious intervals from the register points, for fleets whose month aggregates hold every read', () => {
  it('finds what the SQL scan finds: backwards runs, rates at the floor, jumps beyond Qmax, flagged reads', () => {
    expect([...fromSql.keys()].sort()).toEqual(['BACKWARDS@720h', 'FAST@2h', 'FLAGGED@0h', 'FLAGGED@480h', 'OVER-QMAX@1h']);
    expect(fromPoints).toEqual(fromSql);
  });

  it('carries the previous read, the flags and Qmax as the SQL does', () => {
    expect(fromPoints.get('BACKWARDS@720h')).toMatchObject({ reading: 49.5, prev_ts: T0, prev_reading: 50, flags: null, flow: null, qmax: QMAX });
    expect(fromPoints.get('FLAGGED@0h')).toMatchObject({ prev_ts: null, prev_reading: null, flags: ['magnet'] });
    expect(fromPoints.get('FLAGGED@480h')).toMatchObject({ prev_ts: T0 + 10 * DAY, prev_reading: 2, flags: ['tilt', 'cover_open'] });
  });

  it('gives up (the caller scans in QuestDB) when a flagged read is not among the points, or a meter reports flow', () => {
    const meters = new Map<string, MeterSeries>([[`${P}X`, { info: { meterId: `${P}X`, blacklisted: false }, statuses: [], points: [{ t: T0, r: 1 }], months: [], monthPeakFlow: new Map() }]]);
    expect(intervalsFromPoints(meters, [{ meter_id: `${P}X`, ts: T0 + 1, flow: null, flags: '["magnet"]' }], AS_OF, FLOOR)).toBeUndefined();
    expect(intervalsFromPoints(meters, [{ meter_id: `${P}X`, ts: T0, flow: null, flags: '["magnet"]' }], AS_OF, FLOOR)).toHaveLength(1);
    meters.get(`${P}X`)!.monthPeakFlow.set(T0, 3);
    expect(intervalsFromPoints(meters, [], AS_OF, FLOOR)).toBeUndefined();
  });
});
