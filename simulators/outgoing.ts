import type { ReadingFlag } from '../core/types.ts';
import type { SimRoute } from './fleet-types.ts';

/** One register reading as a device produces it (interface.md §1 fields; ts in epoch ms). */
export interface SimReading {
  meterId: string;
  ts: number;
  reading: number;
  flow?: number;
  battery?: number;
  balance?: number;
  valve?: 'open' | 'closed';
  flags?: ReadingFlag[];
  estimated?: boolean;
  estimateReason?: 'locked' | 'too_high' | 'no_access' | 'other';
  note?: string;
}

/** Something the fleet sends to meterwatch, at `sendAt` (simulated time, epoch ms). */
export type Outgoing =
  /** a smart meter's day of 24 hourly values, or an IC meter's daily report */
  | { type: 'readings'; meterId: string; sendAt: number; readings: SimReading[] }
  /** a handheld device's day of reads on one route */
  | { type: 'handheld'; route: SimRoute; sendAt: number; records: SimReading[] }
  /** an IC-card top-up at the counter */
  | { type: 'purchase'; sendAt: number; purchase: { meterId: string; ts: number; volume: number; amount: number } };
