import { daysOf } from './calendar.ts';
import { buildFleet, type FleetOptions } from './fleet.ts';
import type { Fleet } from './fleet-types.ts';
import type { MeterDay } from './meter-model.ts';
import type { Outgoing, SimReading } from './outgoing.ts';
import { FleetSimulation, type DayObserver } from './simulation.ts';
import { TruthOracle } from './truth.ts';

/** Everything one meter did over the window (kept only for the meters asked for). */
export interface MeterTrace {
  readings: SimReading[];
  /** [day start, consumed m³] per day */
  consumed: [number, number][];
}

/**
 * Runs a fleet over its whole window without sending anything: for tests, for the truth of a
 * run that is replayed elsewhere, and for measuring the generator itself.
 */
export function dryRun(
  opts: FleetOptions,
  trace: (meterId: string) => boolean = () => false,
  onOutgoing?: (o: Outgoing) => void,
): { fleet: Fleet; oracle: TruthOracle; traces: Map<string, MeterTrace> } {
  const fleet = buildFleet(opts);
  const oracle = new TruthOracle(fleet);
  const traces = new Map<string, MeterTrace>();
  const recorder: DayObserver = {
    observe(i, day, result: MeterDay) {
      const id = fleet.meters[i]!.record.meterId;
      if (!trace(id)) return;
      let t = traces.get(id);
      if (!t) traces.set(id, (t = { readings: [], consumed: [] }));
      t.readings.push(...result.readings);
      t.consumed.push([day.start, result.consumed]);
    },
  };
  const sim = new FleetSimulation(fleet, [oracle, recorder]);
  for (const day of daysOf(fleet.start, fleet.end, fleet.timezone)) {
    for (const o of sim.day(day)) onOutgoing?.(o);
  }
  return { fleet, oracle, traces };
}
