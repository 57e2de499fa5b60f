import type { SimDay } from './calendar.ts';
import type { Fleet } from './fleet-types.ts';
import { MeterModel, type MeterDay } from './meter-model.ts';
import type { Outgoing, SimReading } from './outgoing.ts';

const HOUR = 3_600_000;

/** Sees every meter's day as it is simulated (the truth oracle, tests). */
export interface DayObserver {
  observe(meterIndex: number, day: SimDay, result: MeterDay): void;
}

/**
 * Steps the whole fleet one day at a time and yields what the devices send. Household meters
 * come before their bulk meter, supply meters last, so a bulk meter measures what its
 * households consumed plus loss, and a district's supply meter what its customers consumed
 * plus loss (domain.md §7).
 */
export class FleetSimulation {
  readonly models: MeterModel[];

  constructor(
    readonly fleet: Fleet,
    private readonly observers: DayObserver[] = [],
  ) {
    this.models = fleet.meters.map((m) => new MeterModel(m, fleet.seed, fleet.timezone));
  }

  *day(day: SimDay): Generator<Outgoing> {
    const intoBulk = new Map<string, number>();
    const intoDistrict = new Map<string, number>();
    const routeReads = new Map<string, SimReading[]>();
    for (let i = 0; i < this.models.length; i++) {
      const model = this.models[i]!;
      const rec = model.meter.record;
      const inflow = rec.category === 'residential_bulk' ? (intoBulk.get(rec.meterId) ?? 0) : rec.category === 'supply' ? (intoDistrict.get(rec.district) ?? 0) : 0;
      const result = model.step(day, inflow);
      if (rec.parentMeterId) intoBulk.set(rec.parentMeterId, (intoBulk.get(rec.parentMeterId) ?? 0) + result.consumed);
      else if (rec.category !== 'supply') intoDistrict.set(rec.district, (intoDistrict.get(rec.district) ?? 0) + result.consumed);
      for (const o of this.observers) o.observe(i, day, result);
      if (result.purchase) yield { type: 'purchase', sendAt: result.purchase.ts, purchase: { meterId: rec.meterId, ...result.purchase } };
      if (result.readings.length === 0) continue;
      if (rec.kind === 'mechanical') {
        let list = routeReads.get(model.meter.route.id);
        if (!list) routeReads.set(model.meter.route.id, (list = []));
        list.push(...result.readings);
      } else {
        yield { type: 'readings', meterId: rec.meterId, sendAt: day.end + model.meter.reportMinute * 60_000, readings: result.readings };
      }
    }
    // the reader uploads the day's route in the evening
    for (const route of this.fleet.routes) {
      const records = routeReads.get(route.id);
      if (records?.length) yield { type: 'handheld', route, sendAt: day.start + 18 * HOUR, records };
    }
  }
}
