/**
 * The measurements of the ingest scale benchmark (issue 5 item 3a, issue 6 item 6), each
 * with the CPU every process used while it ran, so a reader can tell who limited:
 * - end to end: publishers → meterwatch (ingest role or the full system) → QuestDB, timed
 *   from the first publish until the last record is visible to `SELECT count()`;
 * - broker alone: the same publishers against aedes with a consumer that stores nothing;
 * - ILP alone: one sender POSTing the same readings to the same QuestDB until visible.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { SqlClient, sqlTimestamp } from '../../storage/sql.ts';
import type { Shape } from './fleet-load.ts';
import type { IlpSenderSpec } from './ilp-sender-process.ts';
import type { MeterwatchProcess } from './meterwatch-process.ts';
import { cpuSecondsOf, loadAverage } from './proc-stats.ts';
import { runForked, runPublishers, type LoadResult } from './publisher-pool.ts';

const DAY = 86_400_000;
/** Every measurement writes its own range of event time, so counting it is cheap and exact. */
const RANGE = 60 * DAY;
let ranges = 0;
export function nextBase(): number {
  return Date.UTC(2001, 1, 1) + ranges++ * RANGE;
}

export interface MeasureContext {
  sql: SqlClient;
  questdb: { httpUrl: string; pgUrl: string; javaPid: number | undefined };
  meters: number;
  minSeconds: number;
  processes: number;
  connections: number;
  /** messages in flight per connection: single readings / 24 readings */
  window: number;
  dayWindow: number;
  visibleTimeoutMs: number;
}

export interface Measurement {
  what: 'ingest only' | 'full system' | 'full, no stream rules' | 'broker alone' | 'ILP alone' | 'warm-up';
  shape: Shape;
  meters: number;
  messages: number;
  records: number;
  /** first publish → last PUBACK (ILP: last response) */
  publishSeconds: number;
  /** first publish → all records visible (broker alone: = publishSeconds) */
  seconds: number;
  recordsPerSecond: number;
  /** CPU used over `seconds`, in cores (CPU seconds ÷ wall seconds) */
  cores: { publishers: number; server: number; questdb: number };
  /** CPU time of the server (meterwatch or the bare broker) per record, µs: less noisy than records/s on a shared machine */
  serverCpuMicrosPerRecord: number;
  loadAverage: string;
}

async function countRange(sql: SqlClient, from: number): Promise<number> {
  const rows = await sql.query<{ n: number }>(`SELECT count() n FROM readings WHERE ts >= ${sqlTimestamp(from)} AND ts < ${sqlTimestamp(from + RANGE)}`);
  return Number(rows[0]!.n);
}

async function waitVisible(ctx: MeasureContext, from: number, expected: number): Promise<void> {
  const deadline = Date.now() + ctx.visibleTimeoutMs;
  for (;;) {
    const n = await countRange(ctx.sql, from);
    if (n === expected) return;
    if (n > expected) throw new Error(`${n} rows visible in the range of a measurement that sent ${expected}`);
    if (Date.now() > deadline) throw new Error(`${n} of ${expected} rows visible after ${ctx.visibleTimeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function checkSpan(meters: number, messages: number, shape: Shape): void {
  const span = (Math.ceil(messages / meters) * shape + 1) * 3_600_000; // + each meter's second of the hour
  if (span >= RANGE) throw new Error(`${messages} messages for ${meters} meters span ${span / DAY} days of event time, more than one measurement range`);
}

function minMessages(ctx: MeasureContext, shape: Shape): number {
  // At least one message per meter (single readings) or one reading per meter (24 per message).
  return shape === 1 ? ctx.meters : Math.ceil(ctx.meters / shape);
}

function summarise(what: Measurement['what'], ctx: MeasureContext, shape: Shape, load: LoadResult, records: number, seconds: number, cpu: { server: number; questdb: number }): Measurement {
  return {
    what,
    shape,
    meters: ctx.meters,
    messages: load.messages,
    records,
    publishSeconds: +load.publishSeconds.toFixed(2),
    seconds: +seconds.toFixed(2),
    recordsPerSecond: Math.round(records / seconds),
    cores: { publishers: +(load.publisherCpuSeconds / seconds).toFixed(2), server: +(cpu.server / seconds).toFixed(2), questdb: +(cpu.questdb / seconds).toFixed(2) },
    serverCpuMicrosPerRecord: +((cpu.server / records) * 1e6).toFixed(2),
    loadAverage: loadAverage(),
  };
}

const WHAT: Record<MeterwatchProcess['mode'], Measurement['what']> = { ingest: 'ingest only', full: 'full system', 'no-stream': 'full, no stream rules' };

export async function endToEnd(ctx: MeasureContext, mw: MeterwatchProcess, shape: Shape, what: Measurement['what'] = WHAT[mw.mode], minSeconds = ctx.minSeconds): Promise<Measurement> {
  const baseTs = nextBase();
  const server0 = cpuSecondsOf(mw.pid);
  const questdb0 = cpuSecondsOf(ctx.questdb.javaPid);
  const load = await runPublishers({
    host: '127.0.0.1', port: mw.mqttPort, clientPrefix: `e${ranges}`, processes: ctx.processes, connections: ctx.connections, window: shape === 1 ? ctx.window : ctx.dayWindow,
    meters: ctx.meters, shape, baseTs, minMessages: what === 'warm-up' ? 0 : minMessages(ctx, shape), minSeconds, maxSeconds: 600,
  });
  checkSpan(ctx.meters, load.messages, shape);
  await waitVisible(ctx, baseTs, load.messages * shape);
  const seconds = (performance.now() - load.startedAt) / 1000;
  return summarise(what, ctx, shape, load, load.messages * shape, seconds, { server: cpuSecondsOf(mw.pid) - server0, questdb: cpuSecondsOf(ctx.questdb.javaPid) - questdb0 });
}

export async function brokerAlone(ctx: MeasureContext, shape: Shape): Promise<Measurement> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'broker-only.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((r) => child.stdout.once('data', (d: Buffer) => r(Number(d.toString().trim()))));
    const cpu0 = cpuSecondsOf(child.pid);
    const load = await runPublishers({
      host: '127.0.0.1', port, clientPrefix: `b${ranges}`, processes: ctx.processes, connections: ctx.connections, window: shape === 1 ? ctx.window : ctx.dayWindow,
      meters: ctx.meters, shape, baseTs: nextBase(), minMessages: minMessages(ctx, shape), minSeconds: ctx.minSeconds, maxSeconds: 600,
    });
    return summarise('broker alone', ctx, shape, load, load.messages * shape, load.publishSeconds, { server: cpuSecondsOf(child.pid) - cpu0, questdb: 0 });
  } finally {
    child.kill('SIGTERM');
  }
}

export async function ilpAlone(ctx: MeasureContext): Promise<Measurement> {
  const spec: IlpSenderSpec = { httpUrl: ctx.questdb.httpUrl, meters: ctx.meters, shape: 1, baseTs: nextBase(), rowsPerRequest: 20_000, minRows: ctx.meters, minSeconds: ctx.minSeconds, maxSeconds: 600 };
  const questdb0 = cpuSecondsOf(ctx.questdb.javaPid);
  const load = await runForked(resolve(import.meta.dirname, 'ilp-sender-process.ts'), [spec]);
  checkSpan(ctx.meters, load.messages, 1);
  await waitVisible(ctx, spec.baseTs, load.messages);
  const seconds = (performance.now() - load.startedAt) / 1000;
  return summarise('ILP alone', ctx, 1, load, load.messages, seconds, { server: 0, questdb: cpuSecondsOf(ctx.questdb.javaPid) - questdb0 });
}
