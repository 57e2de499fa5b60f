import { DateTime } from 'luxon';
import { QMAX_BY_GSIZE } from '../core/gsize.ts';
import type { MeterCategory, MeterKind, MeterStatus } from '../core/types.ts';
import { assignFaults } from './faults.ts';
import type { Fleet, HandheldChannel, SimMeter, SimRoute } from './fleet-types.ts';
import { PROFILES, peakHourShare } from './profiles.ts';
import { Rng } from './prng.ts';

export interface FleetOptions {
  /** Total number of meters, supply and household meters included. */
  meters: number;
  seed: number;
  /** Share of customer meters that get an injected fault, 0–1. */
  faultShare: number;
  /** First simulated month starts at monthStart(end) − months. */
  months: number;
  /** End of the simulated window (exclusive), epoch ms. */
  end: number;
  timezone: string;
}

/** Shares of the customer meters (not supply) — a city fleet is overwhelmingly residential (domain.md §8). */
const SHARE = { bulkHouseholds: 0.12, commercial: 0.05, collective: 0.015, industrial: 0.005 } as const;
const METERS_PER_DISTRICT = 5000;
const METERS_PER_ROUTE = 300;

const KIND_WEIGHTS: Record<Exclude<MeterCategory, 'supply'>, Record<MeterKind, number>> = {
  residential: { mechanical: 0.5, ic: 0.3, smart: 0.2 },
  // bulk meters are read remotely: their loss against daily-read households needs same-day values (domain.md §7)
  residential_bulk: { mechanical: 0, ic: 0, smart: 1 },
  commercial: { mechanical: 0.2, ic: 0.2, smart: 0.6 },
  collective: { mechanical: 0.3, ic: 0, smart: 0.7 },
  industrial: { mechanical: 0, ic: 0, smart: 1 },
};
/** Household meters behind a bulk meter come from a one-household-one-meter retrofit: IC or smart, read daily. */
const HOUSEHOLD_KIND = { mechanical: 0, ic: 0.7, smart: 0.3 } as const;
const RESIDENTIAL_STATUS: Record<MeterStatus, number> = {
  active: 0.9,
  vacant: 0.04,
  suspended: 0.02,
  sealed: 0.01,
  removed: 0.01,
  awaiting_ignition: 0.01,
  registered: 0.01,
};
const BUSINESS_STATUS: Record<MeterStatus, number> = {
  active: 0.95,
  vacant: 0,
  suspended: 0.03,
  sealed: 0.02,
  removed: 0,
  awaiting_ignition: 0,
  registered: 0,
};
const HANDHELD_CHANNELS: HandheldChannel[] = ['http-json', 'http-csv', 'mqtt'];
const MANUFACTURERS = ['Goldcard', 'Viewshine', 'Innover', 'Chongqing Qianwei', 'Elster'];

/** Builds the whole fleet, deterministically from `seed`. */
export function buildFleet(opts: FleetOptions): Fleet {
  if (!Number.isInteger(opts.meters) || opts.meters < 2) throw new Error(`meters must be an integer ≥ 2, got ${opts.meters}`);
  if (!(opts.faultShare >= 0 && opts.faultShare <= 1)) throw new Error(`faultShare must be within 0–1, got ${opts.faultShare}`);
  if (!Number.isInteger(opts.months) || opts.months < 1) throw new Error(`months must be an integer ≥ 1, got ${opts.months}`);
  const rng = Rng.for(opts.seed, 'fleet');
  const end = opts.end;
  const start = DateTime.fromMillis(end, { zone: opts.timezone }).startOf('month').minus({ months: opts.months }).toMillis();
  const districtCount = Math.max(1, Math.min(50, Math.round(opts.meters / METERS_PER_DISTRICT)));
  const districts = Array.from({ length: districtCount }, (_, i) => `D${String(i + 1).padStart(2, '0')}`);
  const customerBudget = opts.meters - districtCount;
  const ctx: BuildContext = { rng, start, end, timezone: opts.timezone, next: 1, routes: new Map(), districts };

  const meters: SimMeter[] = [];
  const counts = {
    commercial: Math.max(customerBudget >= 40 ? 1 : 0, Math.round(customerBudget * SHARE.commercial)),
    collective: Math.max(customerBudget >= 60 ? 1 : 0, Math.round(customerBudget * SHARE.collective)),
    industrial: Math.max(customerBudget >= 80 ? 1 : 0, Math.round(customerBudget * SHARE.industrial)),
  };
  let householdBudget = Math.round(customerBudget * SHARE.bulkHouseholds);
  if (customerBudget >= 60) householdBudget = Math.max(householdBudget, 21);
  // Bulk meters with their households first (each bulk meter and its households share a district).
  while (householdBudget > 20) {
    const households = Math.min(householdBudget - 1, rng.int(20, 60));
    householdBudget -= households + 1;
    const district = rng.pick(districts);
    const children: SimMeter[] = [];
    for (let h = 0; h < households; h++) children.push(makeCustomer(ctx, 'residential', district, HOUSEHOLD_KIND, false));
    const bulk = makeCustomer(ctx, 'residential_bulk', district);
    bulk.children = children;
    bulk.record.households = households;
    bulk.record.commercialUnits = rng.chance(0.4) ? rng.int(1, 2) : 0;
    // commercial units behind a bulk meter have meters of their own elsewhere: the bulk meter carries households only
    bulk.monthlyMean = 0;
    bulk.loss = rng.uniform(0.015, 0.04);
    for (const c of children) {
      c.record.parentMeterId = bulk.record.meterId;
      c.route = bulk.route;
      c.record.route = bulk.route.id;
      c.record.address = `${bulk.record.address} #${c.record.meterId.slice(-4)}`;
    }
    meters.push(...children, bulk);
  }
  for (const category of ['commercial', 'collective', 'industrial'] as const) {
    for (let i = 0; i < counts[category]; i++) meters.push(makeCustomer(ctx, category, rng.pick(districts)));
  }
  while (meters.length < customerBudget) meters.push(makeCustomer(ctx, 'residential', rng.pick(districts)));

  assignFaults(meters, { seed: opts.seed, share: opts.faultShare, start, end, timezone: opts.timezone });
  for (const m of meters) sizeMeter(m);
  for (const district of districts) meters.push(makeSupply(ctx, district, supplySpec(meters, district)));
  return { seed: opts.seed, timezone: opts.timezone, start, end, districts, routes: [...ctx.routes.values()].flat(), meters };
}

interface BuildContext {
  rng: Rng;
  start: number;
  end: number;
  timezone: string;
  next: number;
  routes: Map<string, SimRoute[]>;
  districts: string[];
}

function routeFor(ctx: BuildContext, district: string): SimRoute {
  let list = ctx.routes.get(district);
  if (!list) ctx.routes.set(district, (list = []));
  const last = list[list.length - 1];
  if (last && (last as SimRoute & { size: number }).size < METERS_PER_ROUTE) {
    (last as SimRoute & { size: number }).size++;
    return last;
  }
  const n = list.length + 1;
  const route: SimRoute & { size: number } = {
    id: `${district}-R${String(n).padStart(2, '0')}`,
    district,
    readDay: ctx.rng.int(6, 25),
    readerId: `R${district.slice(1)}${String(n).padStart(2, '0')}`,
    deviceId: `HH-${district}-${String(n).padStart(2, '0')}`,
    channel: HANDHELD_CHANNELS[(n - 1) % HANDHELD_CHANNELS.length]!,
    size: 1,
  };
  list.push(route);
  return route;
}

function makeCustomer(
  ctx: BuildContext,
  category: Exclude<MeterCategory, 'supply'>,
  district: string,
  kindWeights: Record<MeterKind, number> = KIND_WEIGHTS[category],
  mayBeNew = true,
): SimMeter {
  const { rng } = ctx;
  const n = ctx.next++;
  const id = String(n).padStart(7, '0');
  const kind = rng.weighted(kindWeights);
  const status = category === 'residential_bulk' ? 'active' : rng.weighted(category === 'residential' ? RESIDENTIAL_STATUS : BUSINESS_STATUS);
  const [lo, hi] = PROFILES[category].monthlyRange;
  const monthlyMean = Math.exp(rng.uniform(Math.log(lo), Math.log(hi)));
  const windowMs = ctx.end - ctx.start;
  const installedAt = status === 'awaiting_ignition' || status === 'registered' ? ctx.end - rng.uniform(5, 60) * 86_400_000 : ctx.start - rng.uniform(30, 3000) * 86_400_000;
  // 5 % of active customers light their gas during the first half of the window (new customers;
  // their IC first-month verification falls inside the window, domain.md §4).
  // (not behind a bulk meter: a household moving in would shift the bulk meter's year-over-year usage)
  const newCustomer = rng.chance(0.05) && status === 'active' && category !== 'residential_bulk' && mayBeNew;
  const activatedAt =
    status === 'awaiting_ignition' || status === 'registered'
      ? undefined
      : newCustomer
        ? dayStartOf(ctx.start + rng.uniform(0.05, 0.5) * windowMs, ctx.timezone)
        : dayStartOf(installedAt + rng.uniform(1, 20) * 86_400_000, ctx.timezone);
  const route = routeFor(ctx, district);
  return {
    record: {
      meterId: `M${id}`,
      customerId: `C${id}`,
      customerName: `${category} customer ${n}`,
      address: `${district} street ${rng.int(1, 400)} no. ${rng.int(1, 200)}`,
      district,
      route: route.id,
      category,
      kind,
      spec: 'G2.5',
      status,
      installedAt: Math.round(installedAt),
      activatedAt,
      manufacturer: rng.pick(MANUFACTURERS),
      model: `${kind.toUpperCase()}-${rng.int(1, 9)}`,
      contact: `138${String(rng.int(0, 99_999_999)).padStart(8, '0')}`,
      ...(category === 'residential_bulk' ? { propertyCompany: `Property Co ${rng.int(1, 40)}` } : {}),
    },
    monthlyMean,
    loss: 0,
    reportMinute: rng.int(120, 239),
    readHour: rng.uniform(9, 16.5),
    route,
    children: [],
    gasOnAt: activatedAt,
    reports: status !== 'removed' && activatedAt !== undefined,
  };
}

function makeSupply(ctx: BuildContext, district: string, spec: string): SimMeter {
  const route = routeFor(ctx, district);
  return {
    record: {
      meterId: `S-${district}`,
      customerId: `SUPPLY-${district}`,
      customerName: `${district} regulator station`,
      address: `${district} regulator station`,
      district,
      route: route.id,
      category: 'supply',
      kind: 'smart',
      spec,
      status: 'active',
      installedAt: ctx.start - 5 * 365 * 86_400_000,
      activatedAt: ctx.start - 5 * 365 * 86_400_000,
      manufacturer: 'Elster',
      model: 'TRZ2',
    },
    monthlyMean: 0,
    loss: ctx.rng.uniform(0.02, 0.04),
    reportMinute: ctx.rng.int(60, 119),
    readHour: 0,
    route,
    children: [],
    gasOnAt: ctx.start - 5 * 365 * 86_400_000,
    reports: true,
  };
}

/**
 * A regulator station's meter is sized for its whole district's peak hour (the same rule as a
 * customer's, over the district's summed usage, plus every large flow at once): a fixed G1000
 * was outrun by a district of 10k meters, and every hour looked like a register jump.
 */
function supplySpec(meters: readonly SimMeter[], district: string): string {
  let monthly = 0;
  let extra = 0;
  for (const m of meters) {
    if (m.record.district !== district || m.record.category === 'supply') continue;
    monthly += m.monthlyMean;
    if (m.fault?.rule === 'large_flow') extra += m.fault.extraFlow;
  }
  const peak = (monthly / 30) * 1.5 * 1.4 * peakHourShare(PROFILES.residential) * 1.6 * 1.1 + extra * 1.3;
  const entry = Object.entries(QMAX_BY_GSIZE).find(([, qmax]) => qmax >= Math.max(peak, 100));
  return entry?.[0] ?? 'G6500';
}

/** Smallest G-size whose Qmax covers 1.6× the customer's highest plausible hourly flow (domain.md §2). */
function sizeMeter(m: SimMeter): void {
  const profile = PROFILES[m.record.category];
  const households = m.children.reduce((s, c) => s + c.monthlyMean, 0);
  const monthly = m.monthlyMean + households;
  let peak = (monthly / 30) * 1.5 * 1.4 * peakHourShare(profile) * 1.6;
  if (m.fault?.rule === 'large_flow') peak = Math.max(peak, m.fault.extraFlow * 1.3 + peak);
  const min = m.record.category === 'residential' ? 4 : 6;
  const entry = Object.entries(QMAX_BY_GSIZE).find(([, qmax]) => qmax >= Math.max(peak, min));
  m.record.spec = entry?.[0] ?? 'G1000';
}

function dayStartOf(ms: number, zone: string): number {
  return DateTime.fromMillis(ms, { zone }).startOf('day').toMillis();
}
