/**
 * What a simulated fleet of `meters` meters sends, message by message, for the ingest scale
 * benchmark (issue 5 item 3a). Message k belongs to meter perm(k mod meters) in round
 * floor(k / meters), so every message is a distinct (meter, time) and a run of N ≥ meters
 * messages touches every meter once before any meter twice. The permutation spreads
 * consecutive messages over the whole fleet (and over QuestDB's symbol table), as real
 * meters on thousands of connections would.
 *
 * The register is a function of event time only (0.37 m³/h), so it never runs backwards
 * between measurements and the stream rules raise nothing: the full system is measured doing
 * the rule work of normal readings, not storing alerts (domain.md §4).
 */
export type Shape = 1 | 24;

const HOUR = 3_600_000;
/** Event time 0 of the register model; every measurement's base lies after it. */
export const REGISTER_EPOCH = Date.UTC(2001, 0, 1);
/** A prime that divides no fleet size of the form 2^a·5^b (10k, 100k, 1M). */
const STRIDE = 999_983;

export function meterId(index: number): string {
  return `M${String(index).padStart(7, '0')}`;
}

export function meterOf(k: number, meters: number): number {
  if (meters % STRIDE === 0) throw new Error(`meters must not be a multiple of ${STRIDE}, got ${meters}`);
  // (k mod meters) × STRIDE < 2^53 for fleets up to 9·10^9 meters: exact in a double.
  return ((k % meters) * STRIDE) % meters;
}

export function registerAt(ts: number): number {
  return Math.round((1000 + ((ts - REGISTER_EPOCH) / HOUR) * 0.37) * 1000) / 1000;
}

/**
 * Event time of the first reading of message k (the day shape sends 24 hourly readings from
 * it). Each meter reads at its own second of the hour, as meters whose clocks and schedules
 * differ do: a million rows with one timestamp made QuestDB's deduplicating merge crawl
 * (measured: 248 rows/s applying 50k rows into a partition holding 150k rows of the same
 * instant). The top-of-the-hour case is benchmarks/storm.ts.
 */
export function messageTs(k: number, meters: number, shape: Shape, baseTs: number): number {
  return baseTs + Math.floor(k / meters) * shape * HOUR + (meterOf(k, meters) % 3600) * 1000;
}

export function messageFor(k: number, meters: number, shape: Shape, baseTs: number): { topic: string; payload: string } {
  const topic = `meters/${meterId(meterOf(k, meters))}/readings`;
  const ts = messageTs(k, meters, shape, baseTs);
  if (shape === 1) return { topic, payload: `{"ts":${ts},"reading":${registerAt(ts)},"flow":0.37,"battery":3.6}` };
  let payload = '[';
  for (let h = 0; h < 24; h++) {
    const t = ts + h * HOUR;
    payload += `${h ? ',' : ''}{"ts":${t},"reading":${registerAt(t)},"flow":0.37}`;
  }
  return { topic, payload: `${payload}]` };
}

/** One reading as the ingest writes it (columns of storage/ilp/rows.ts readingLine), as ILP text. */
export function ilpReading(id: string, ts: number, receivedAt: number): string {
  return `readings,meter_id=${id},source=mqtt reading=${registerAt(ts)},flow=0.37,battery=3.6,received_at=${receivedAt}000t ${ts}000000\n`;
}

/** The readings of message k as ILP lines, for the "ILP sender alone" ceiling. */
export function ilpLinesFor(k: number, meters: number, shape: Shape, baseTs: number, receivedAt: number): string {
  const id = meterId(meterOf(k, meters));
  const ts = messageTs(k, meters, shape, baseTs);
  let out = '';
  for (let h = 0; h < shape; h++) out += ilpReading(id, ts + h * HOUR, receivedAt);
  return out;
}
