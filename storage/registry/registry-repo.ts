import type { Logger } from '../../core/logger.ts';
import { applyChanges, type MeterInput } from '../../core/registry/meter-input.ts';
import type { MeterRecord, MeterStatus } from '../../core/types.ts';
import { ilpLine, writeIlp } from '../ilp-http.ts';
import { sqlString, sqlTimestamp, type SqlClient } from '../sql.ts';
import { waitForWalApplied } from '../wal-visibility.ts';
import { meterFromRow, meterToIlp, type MeterVersion } from './registry-rows.ts';

/**
 * The registry read model other parts use (issue 4): the meter as of any moment, all meters
 * as of a moment (batch rules), status history, known-meter lookups for ingest, and the
 * writes behind `POST /api/meters`.
 *
 * History model: every change writes a FULL snapshot row to `meter_registry` at its
 * effective time, so "as of t" is one LATEST ON query. A change back-dated before a later
 * change does not rewrite the later snapshots (they record the state as known then).
 */
export interface StatusSpan {
  status: MeterStatus | undefined;
  from: number;
  /** Exclusive end; absent for the current status. */
  to?: number;
  changedBy?: string | undefined;
}

export interface UpsertResult {
  written: MeterVersion[];
}

const TABLE = 'meter_registry';

export class RegistryRepo {
  private known = new Set<string>();
  private knownLoadedAt = 0;
  private writeChain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly sql: SqlClient,
    private readonly httpUrl: string,
    private readonly log: Logger,
    /** How long a negative `knownMeter` answer is trusted before the id list is reloaded. */
    private readonly knownRefreshMs = 10_000,
  ) {}

  async meterAsOf(meterId: string, t: number = Date.now()): Promise<MeterVersion | undefined> {
    const rows = await this.sql.query(
      `SELECT * FROM ${TABLE} WHERE meter_id = ${sqlString(meterId)} AND ts <= ${sqlTimestamp(t)} LATEST ON ts PARTITION BY meter_id`,
    );
    return rows[0] ? meterFromRow(rows[0]) : undefined;
  }

  /** Every meter as it stood at `t` (meters registered later are absent). */
  async allAsOf(t: number = Date.now()): Promise<MeterVersion[]> {
    const rows = await this.sql.query(`SELECT * FROM ${TABLE} WHERE ts <= ${sqlTimestamp(t)} LATEST ON ts PARTITION BY meter_id`);
    return rows.map(meterFromRow);
  }

  async metersAsOf(meterIds: readonly string[], t: number): Promise<Map<string, MeterVersion>> {
    const out = new Map<string, MeterVersion>();
    for (let i = 0; i < meterIds.length; i += 1000) {
      const ids = meterIds.slice(i, i + 1000).map(sqlString).join(',');
      const rows = await this.sql.query(
        `SELECT * FROM ${TABLE} WHERE meter_id IN (${ids}) AND ts <= ${sqlTimestamp(t)} LATEST ON ts PARTITION BY meter_id`,
      );
      for (const r of rows) {
        const v = meterFromRow(r);
        out.set(v.meter.meterId, v);
      }
    }
    return out;
  }

  /**
   * Household meters behind a bulk meter, as of `t` (domain.md §2 residential bulk): meters
   * that ever named it as parent, kept when their version at `t` still does. Avoids a
   * fleet-wide LATEST ON on every meter view.
   */
  async householdsOf(bulkMeterId: string, t: number = Date.now()): Promise<MeterVersion[]> {
    const ever = await this.sql.query<{ meter_id: string }>(
      `SELECT DISTINCT meter_id FROM ${TABLE} WHERE parent_meter_id = ${sqlString(bulkMeterId)} AND ts <= ${sqlTimestamp(t)}`,
    );
    if (ever.length === 0) return [];
    const versions = await this.metersAsOf(ever.map((r) => r.meter_id), t);
    return [...versions.values()].filter((v) => v.meter.parentMeterId === bulkMeterId).sort((a, b) => a.meter.meterId.localeCompare(b.meter.meterId));
  }

  /** Every version of a meter, oldest first. */
  async history(meterId: string): Promise<MeterVersion[]> {
    const rows = await this.sql.query(`SELECT * FROM ${TABLE} WHERE meter_id = ${sqlString(meterId)} ORDER BY ts`);
    return rows.map(meterFromRow);
  }

  /** Status spans (a meter vacant in March and active in May matters to the rules, issue 4). */
  async statusHistory(meterId: string): Promise<StatusSpan[]> {
    return statusSpans(await this.history(meterId));
  }

  /**
   * Is this meter registered? Cached for ingest (used when the registry is enforced): a hit
   * is answered from memory; a miss reloads the id list at most every `knownRefreshMs`.
   */
  async knownMeter(meterId: string): Promise<boolean> {
    if (this.known.has(meterId)) return true;
    if (Date.now() - this.knownLoadedAt >= this.knownRefreshMs) await this.reloadKnown();
    return this.known.has(meterId);
  }

  /**
   * The same answer without waiting, for ingest's per-record check: a miss starts a reload
   * (at most every `knownRefreshMs`) so a meter registered moments ago is known shortly.
   */
  knownMeterNow(meterId: string): boolean {
    if (this.known.has(meterId)) return true;
    if (Date.now() - this.knownLoadedAt >= this.knownRefreshMs) {
      this.knownLoadedAt = Date.now();
      this.reloadKnown().catch((err: unknown) => this.log.warn({ err }, 'registry id list reload failed'));
    }
    return false;
  }

  async reloadKnown(): Promise<void> {
    const rows = await this.sql.query<{ meter_id: string }>(`SELECT DISTINCT meter_id FROM ${TABLE}`);
    const next = new Set<string>();
    for (const r of rows) next.add(r.meter_id);
    this.known = next;
    this.knownLoadedAt = Date.now();
  }

  /**
   * Writes validated rows as one ILP request to one table, hence one transaction: either
   * every row of the batch is stored or none is (issue 4: never half-written). Each row is
   * merged with the meter's state as of its effective time. Upserts are serialised and wait
   * for the WAL to apply, so the next upsert merges with this one.
   */
  upsert(inputs: readonly MeterInput[], actor: string, now: number = Date.now()): Promise<UpsertResult> {
    const run = this.writeChain.then(() => this.upsertNow(inputs, actor, now));
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  private async upsertNow(inputs: readonly MeterInput[], actor: string, now: number): Promise<UpsertResult> {
    const byTime = new Map<number, MeterInput[]>();
    for (const input of inputs) {
      const t = input.effectiveAt ?? now;
      byTime.set(t, [...(byTime.get(t) ?? []), input]);
    }
    // Oldest effective time first; a row builds on the latest earlier version of its meter,
    // whether stored or written earlier in this same batch (a CSV may carry a meter's history).
    const written: MeterVersion[] = [];
    const inBatch = new Map<string, MeterVersion>();
    for (const [t, group] of [...byTime].sort((a, b) => a[0] - b[0])) {
      const stored = await this.metersAsOf([...new Set(group.map((g) => g.meterId))], t);
      for (const input of group) {
        const candidates = [stored.get(input.meterId), inBatch.get(input.meterId)].filter((v): v is MeterVersion => v !== undefined);
        const prior = candidates.sort((a, b) => b.effectiveAt - a.effectiveAt)[0];
        const meter = applyChanges(prior?.meter, input.meterId, input.changes);
        const version = { meter, effectiveAt: t, changedAt: now, changedBy: input.changedBy ?? actor };
        inBatch.set(input.meterId, version);
        written.push(version);
      }
    }
    const last = new Map<string, MeterVersion>();
    for (const w of written) last.set(`${w.meter.meterId}@${w.effectiveAt}`, w);
    const rows = [...last.values()];
    await writeIlp(this.httpUrl, rows.map((v) => ilpLine(TABLE, meterToIlp(v))).join(''));
    await waitForWalApplied(this.sql, TABLE);
    for (const v of rows) this.known.add(v.meter.meterId);
    this.log.info({ rows: rows.length, actor }, 'registry rows written');
    return { written: rows };
  }
}

export function statusSpans(versions: readonly MeterVersion[]): StatusSpan[] {
  const spans: StatusSpan[] = [];
  for (const v of versions) {
    const current = spans.at(-1);
    if (current && current.status === v.meter.status) continue;
    if (current) current.to = v.effectiveAt;
    spans.push({ status: v.meter.status, from: v.effectiveAt, changedBy: v.changedBy });
  }
  return spans;
}
