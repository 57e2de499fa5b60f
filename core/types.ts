/** Domain types shared by every part (interface.md §1–§3, domain.md §2). */

export const METER_CATEGORIES = ['residential', 'residential_bulk', 'commercial', 'collective', 'industrial', 'supply'] as const;
export type MeterCategory = (typeof METER_CATEGORIES)[number];

export const METER_KINDS = ['mechanical', 'ic', 'smart'] as const;
export type MeterKind = (typeof METER_KINDS)[number];

export const METER_STATUSES = ['registered', 'awaiting_ignition', 'active', 'vacant', 'removed', 'suspended', 'sealed'] as const;
export type MeterStatus = (typeof METER_STATUSES)[number];

export const READING_FLAGS = ['tamper', 'magnet', 'reverse_flow', 'battery_low', 'valve_fault', 'leak', 'comm_fault'] as const;
export type ReadingFlag = (typeof READING_FLAGS)[number];

export const ESTIMATE_REASONS = ['locked', 'too_high', 'no_access', 'other'] as const;
export type EstimateReason = (typeof ESTIMATE_REASONS)[number];

export const READING_SOURCES = ['mqtt', 'http', 'handheld'] as const;
export type ReadingSource = (typeof READING_SOURCES)[number];

/** One validated register reading, as stored. `ts` is epoch milliseconds (event time). */
export interface Reading {
  meterId: string;
  ts: number;
  reading: number;
  flow?: number | undefined;
  battery?: number | undefined;
  balance?: number | undefined;
  valve?: 'open' | 'closed' | undefined;
  flags?: ReadingFlag[] | undefined;
  source: ReadingSource;
  estimated?: boolean | undefined;
  estimateReason?: EstimateReason | undefined;
  readerId?: string | undefined;
  route?: string | undefined;
  deviceId?: string | undefined;
  note?: string | undefined;
  receivedAt: number;
}

export const RULE_IDS = [
  'large_flow',
  'yoy_deviation',
  'bulk_drop',
  'bulk_balance',
  'residential_high',
  'stuck_meter',
  'dead_meter',
  'broken_meter',
  'tamper',
  'usage_while_inactive',
  'ic_verification_due',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ALERT_STATUSES = ['open', 'acknowledged', 'assigned', 'closed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** An alert (interface.md §3). Times are epoch milliseconds inside the system. */
export interface Alert {
  id: string;
  raisedAt: number;
  meterId: string;
  customerId?: string | undefined;
  rule: RuleId;
  severity: Severity;
  periodStart: number;
  periodEnd: number;
  value: number;
  threshold: number;
  score: number;
  message: string;
  status: AlertStatus;
  evidence?: unknown;
}

/** A meter in the registry (interface.md §2, "Registry fields"), as of some moment. */
export interface MeterRecord {
  meterId: string;
  customerId?: string | undefined;
  customerName?: string | undefined;
  address?: string | undefined;
  district?: string | undefined;
  route?: string | undefined;
  category?: MeterCategory | undefined;
  kind?: MeterKind | undefined;
  spec?: string | undefined;
  /** m³/h; derived from `spec` (core/gsize.ts) when absent. */
  qmax?: number | undefined;
  status?: MeterStatus | undefined;
  parentMeterId?: string | undefined;
  households?: number | undefined;
  commercialUnits?: number | undefined;
  installedAt?: number | undefined;
  activatedAt?: number | undefined;
  manufacturer?: string | undefined;
  model?: string | undefined;
  contact?: string | undefined;
  propertyCompany?: string | undefined;
}

/** A record that ingest refused, kept with its reason (interface.md §1 "Outcome of every record"). */
export interface RejectedRecord {
  receivedAt: number;
  source: 'mqtt' | 'http';
  topic?: string | undefined;
  endpoint?: string | undefined;
  clientId?: string | undefined;
  meterId?: string | undefined;
  reason: string;
  field?: string | undefined;
  value?: string | undefined;
  raw: string;
}

/** IC-card top-up from the counter (interface.md §2, POST /api/ic/purchases). */
export interface IcPurchase {
  meterId: string;
  ts: number;
  volume: number;
  amount: number;
  receivedAt: number;
}
