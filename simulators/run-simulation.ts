import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { DateTime } from 'luxon';
import type { Logger } from '../core/logger.ts';
import { daysOf, type SimDay } from './calendar.ts';
import { DeviceSink, type Transport } from './drivers/device-sink.ts';
import { HttpDriver } from './drivers/http-driver.ts';
import { MqttDriver } from './drivers/mqtt-driver.ts';
import { buildFleet } from './fleet.ts';
import type { Fleet } from './fleet-types.ts';
import type { Outgoing } from './outgoing.ts';
import { registryRow } from './payloads.ts';
import { ProgressBar } from './progress.ts';
import { FleetSimulation } from './simulation.ts';
import { TruthOracle } from './truth.ts';

export interface SimulateOptions {
  meters: number;
  months: number;
  /** share of customer meters with an injected fault, 0–1 */
  faultShare: number;
  seed: number;
  /** meterwatch HTTP base URL */
  url: string;
  /** MQTT broker URL; without it every meter message goes over HTTP */
  mqttUrl?: string | undefined;
  transport?: Transport | undefined;
  /** ground-truth JSON lines file */
  truthPath?: string | undefined;
  /** backfill: send the history as fast as the system takes it, then stop; live: then keep going */
  mode: 'backfill' | 'live';
  /** live mode: simulated seconds per real second until simulated time reaches the real clock */
  rate: number;
  /** live mode: stop after this long (real ms); runs until `signal` aborts otherwise */
  durationMs?: number | undefined;
  /** live mode: the last part of the history that is played at `rate` instead of back-filled */
  catchUpMs: number;
  concurrency: number;
  inflight: number;
  batchRecords: number;
  registry: boolean;
  timezone: string;
  /** the "now" the history ends at (default: the clock) */
  now?: number | undefined;
  progress: boolean;
  log: Logger;
  signal?: AbortSignal | undefined;
}

export interface SimulationSummary {
  meters: number;
  windowStart: string;
  daysSimulated: number;
  sent: DeviceSink['counts'];
  http: HttpDriver['stats'];
  mqtt?: MqttDriver['stats'] | undefined;
  truthLines: number;
  truthByRule: Record<string, number>;
  elapsedMs: number;
}

/** Builds the fleet, uploads its registry, back-fills its history, optionally goes live, writes the truth. */
export async function runSimulation(o: SimulateOptions): Promise<SimulationSummary> {
  const startedAt = Date.now();
  const now = o.now ?? Date.now();
  const zone = o.timezone;
  const today = DateTime.fromMillis(now, { zone }).startOf('day').toMillis();
  const fleet = buildFleet({ meters: o.meters, seed: o.seed, faultShare: o.faultShare, months: o.months, end: today, timezone: zone });
  const oracle = o.truthPath ? new TruthOracle(fleet) : undefined;
  const sim = new FleetSimulation(fleet, oracle ? [oracle] : []);
  const log = o.log;
  const failuresSeen = new Set<string>();
  const http = new HttpDriver({
    baseUrl: o.url,
    concurrency: o.concurrency,
    attempts: 6,
    backoffMs: 200,
    timeoutMs: 30_000,
    onFinalFailure: (path, status, body) => {
      const key = `${path.split('?')[0]} ${status}`;
      if (failuresSeen.has(key)) return;
      failuresSeen.add(key);
      log.warn({ path, status, body }, 'request failed (further failures of this kind are counted, not logged)');
    },
  });
  const mqtt = o.mqttUrl ? new MqttDriver({ url: o.mqttUrl, clientId: `meterwatch-sim-${o.seed}-${process.pid}`, inflight: o.inflight }) : undefined;
  await mqtt?.connect();
  const sink = new DeviceSink({ zone, transport: o.transport ?? (mqtt ? 'mqtt' : 'http'), http, mqtt, batchRecords: o.batchRecords });
  let days = 0;
  try {
    if (o.registry) await uploadRegistry(fleet, http, o);
    const liveFrom = o.mode === 'live' ? Math.max(fleet.start, DateTime.fromMillis(now - o.catchUpMs, { zone }).startOf('day').toMillis()) : today;
    const history = [...daysOf(fleet.start, liveFrom, zone)];
    const bar = o.progress ? new ProgressBar('back-fill', history.length) : undefined;
    for (const day of history) {
      if (o.signal?.aborted) break;
      for (const out of sim.day(day)) await sink.send(out);
      days++;
      bar?.update(days, `days, ${sink.counts.readings} readings, ${Math.round(sink.counts.readings / ((Date.now() - startedAt) / 1000))} readings/s`);
    }
    await sink.flush();
    bar?.done(`days, ${sink.counts.readings} readings`);
    if (o.mode === 'live' && !o.signal?.aborted) days += await runLive(sim, sink, liveFrom, history.length, o, now);
    await sink.flush();
  } finally {
    await mqtt?.close().catch(() => undefined);
  }
  const truth = oracle && o.truthPath ? await writeTruth(oracle, o.truthPath) : { lines: 0, byRule: {} };
  return {
    meters: fleet.meters.length,
    windowStart: DateTime.fromMillis(fleet.start, { zone }).toISO() ?? '',
    daysSimulated: days,
    sent: sink.counts,
    http: http.stats,
    mqtt: mqtt?.stats,
    truthLines: truth.lines,
    truthByRule: truth.byRule,
    elapsedMs: Date.now() - startedAt,
  };
}

async function uploadRegistry(fleet: Fleet, http: HttpDriver, o: SimulateOptions): Promise<void> {
  const rows = fleet.meters.map((m) => registryRow(m.record, o.timezone));
  for (let i = 0; i < rows.length; i += 1000) await http.post('/api/meters', JSON.stringify(rows.slice(i, i + 1000)));
  await http.drain();
  o.log.info({ meters: rows.length, failed: http.stats.failed }, 'registry uploaded');
}

/**
 * Plays simulated time at `rate` × real time, capped at the real clock (a reading from the
 * future is rejected, interface.md §1), so it catches up and then runs in real time. A day is
 * generated when simulated time reaches its start; each message waits for its own send time.
 */
async function runLive(sim: FleetSimulation, sink: DeviceSink, from: number, dayIndex: number, o: SimulateOptions, now: number): Promise<number> {
  const zone = o.timezone;
  const realStart = Date.now();
  const clock = () => Math.min(Date.now() - (realStart - now) , from + (Date.now() - realStart) * o.rate);
  const until = o.durationMs === undefined ? Number.POSITIVE_INFINITY : realStart + o.durationMs;
  let queue: Outgoing[] = [];
  let next = nextDay(from, dayIndex, zone, sim.fleet.start);
  let days = 0;
  o.log.info({ from: DateTime.fromMillis(from, { zone }).toISO(), rate: o.rate }, 'live simulation running');
  while (!o.signal?.aborted && Date.now() < until) {
    const t = clock();
    if (t >= next.start) {
      for (const item of sim.day(next)) queue.push(item); // no spread: a city's day overflows the call stack
      queue.sort((a, b) => a.sendAt - b.sendAt);
      next = nextDay(next.end, next.index + 1, zone, sim.fleet.start);
      days++;
      continue;
    }
    let sent = 0;
    while (queue.length > 0 && queue[sent]?.sendAt !== undefined && queue[sent]!.sendAt <= t) await sink.send(queue[sent++]!);
    if (sent > 0) queue = queue.slice(sent);
    const wakeAt = Math.min(next.start, queue[0]?.sendAt ?? Number.POSITIVE_INFINITY);
    const realWait = Math.max(5, Math.min(500, (wakeAt - t) / o.rate));
    await new Promise((r) => setTimeout(r, realWait));
  }
  return days;
}

function nextDay(start: number, index: number, zone: string, windowStart: number): SimDay {
  const it = daysOf(start, start + 1, zone).next();
  const day = it.value as SimDay;
  const first = DateTime.fromMillis(windowStart, { zone });
  const dt = DateTime.fromMillis(day.start, { zone });
  return { ...day, index, monthIndex: (dt.year - first.year) * 12 + (dt.month - first.month) };
}

async function writeTruth(oracle: TruthOracle, path: string): Promise<{ lines: number; byRule: Record<string, number> }> {
  const out = createWriteStream(path);
  const byRule: Record<string, number> = {};
  let lines = 0;
  for (const line of oracle.lines()) {
    const key = `${line.kind}:${line.rule}`;
    byRule[key] = (byRule[key] ?? 0) + 1;
    lines++;
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { lines, byRule };
}
