import type { MeterReplacement } from '../../core/registry/replacement.ts';
import { ilpLine, writeIlp } from '../ilp-http.ts';
import { sqlString, sqlTimestamp, type Row, type SqlClient } from '../sql.ts';
import { waitForWalApplied } from '../wal-visibility.ts';

const TABLE = 'meter_replacements';

function fromRow(r: Row): MeterReplacement {
  return {
    meterId: String(r.meter_id),
    ts: Number(r.ts),
    finalReading: Number(r.final_reading),
    newReading: Number(r.new_reading),
    newSpec: typeof r.new_spec === 'string' ? r.new_spec : undefined,
    reason: typeof r.reason === 'string' ? r.reason : undefined,
    recordedAt: typeof r.recorded_at === 'number' ? r.recorded_at : undefined,
    recordedBy: typeof r.recorded_by === 'string' ? r.recorded_by : undefined,
  };
}

/** Meter replacements (migration 020): written once, read by usage and the meter view. */
export class ReplacementsRepo {
  constructor(
    private readonly sql: SqlClient,
    private readonly httpUrl: string,
  ) {}

  async record(r: MeterReplacement, actor: string, now: number = Date.now()): Promise<MeterReplacement> {
    const stored = { ...r, recordedAt: now, recordedBy: actor };
    const line = ilpLine(TABLE, {
      ts: r.ts,
      symbols: { meter_id: r.meterId, new_spec: r.newSpec },
      fields: {
        final_reading: { kind: 'double', value: r.finalReading },
        new_reading: { kind: 'double', value: r.newReading },
        reason: r.reason === undefined ? undefined : { kind: 'string', value: r.reason },
        recorded_at: { kind: 'timestamp', value: now },
        recorded_by: { kind: 'string', value: actor },
      },
    });
    await writeIlp(this.httpUrl, line);
    await waitForWalApplied(this.sql, TABLE);
    return stored;
  }

  /** Replacements of one meter, oldest first; `from`/`to` bound `ts` when given. */
  async forMeter(meterId: string, from?: number, to?: number): Promise<MeterReplacement[]> {
    const where = [`meter_id = ${sqlString(meterId)}`];
    if (from !== undefined) where.push(`ts >= ${sqlTimestamp(from)}`);
    if (to !== undefined) where.push(`ts < ${sqlTimestamp(to)}`);
    return (await this.sql.query(`SELECT * FROM ${TABLE} WHERE ${where.join(' AND ')} ORDER BY ts`)).map(fromRow);
  }
}
