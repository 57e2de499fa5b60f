import type { MeterRecord } from '../core/types.ts';
import type { FaultSpec } from './faults.ts';

/** How a route's handheld device uploads its day of reads (interface.md §1 and §2). */
export type HandheldChannel = 'http-json' | 'http-csv' | 'mqtt';

export interface SimRoute {
  id: string;
  district: string;
  /** Day of the month the route is read (domain.md §3: the 6th to the 25th), fixed: same day every month. */
  readDay: number;
  readerId: string;
  deviceId: string;
  channel: HandheldChannel;
}

/** One simulated meter: its registry row plus what the model needs to generate its series. */
export interface SimMeter {
  record: MeterRecord & Required<Pick<MeterRecord, 'meterId' | 'category' | 'kind' | 'status' | 'district' | 'spec'>>;
  /** Mean monthly usage of the customer, m³ (bulk: of its commercial units only). */
  monthlyMean: number;
  /** Bulk meter: loss share between it and its households (normal 1.5–4 %). District supply: district loss. */
  loss: number;
  /** Minutes after local midnight when a smart / IC meter sends the previous day (spread over 02:00–04:00). */
  reportMinute: number;
  /** Mechanical: hour of the day (fractional) when the reader reads it. */
  readHour: number;
  route: SimRoute;
  /** Household meters behind a residential bulk meter. */
  children: SimMeter[];
  fault?: FaultSpec | undefined;
  /** Start of the first day with gas, epoch ms (undefined: never had gas: registered / awaiting ignition). */
  gasOnAt: number | undefined;
  /** Whether the meter sends anything at all (removed, registered and awaiting-ignition meters do not). */
  reports: boolean;
}

export interface Fleet {
  seed: number;
  timezone: string;
  /** Window of simulated time [start, end), epoch ms; start is a month start. */
  start: number;
  end: number;
  districts: string[];
  routes: SimRoute[];
  /** Every meter, in generation order: households before their bulk meter, supply meters last. */
  meters: SimMeter[];
}

export const ACTIVE_USE_STATUSES = new Set(['active']);
export const INACTIVE_STATUSES = new Set(['vacant', 'suspended', 'sealed', 'removed']);
