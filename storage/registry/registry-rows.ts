import type { MeterCategory, MeterKind, MeterRecord, MeterStatus } from '../../core/types.ts';
import type { IlpField, IlpRow } from '../ilp-http.ts';
import type { Row } from '../sql.ts';

/** A registry snapshot row: the full meter as of `effectiveAt`, with who changed it and when. */
export interface MeterVersion {
  meter: MeterRecord;
  effectiveAt: number;
  changedAt: number | undefined;
  changedBy: string | undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
// QuestDB's INT null arrives as null; TIMESTAMP as epoch ms (storage/sql.ts).

export function meterFromRow(r: Row): MeterVersion {
  const meter: MeterRecord = {
    meterId: String(r.meter_id),
    customerId: str(r.customer_id),
    customerName: str(r.customer_name),
    address: str(r.address),
    district: str(r.district),
    route: str(r.route),
    category: str(r.category) as MeterCategory | undefined,
    kind: str(r.kind) as MeterKind | undefined,
    spec: str(r.spec),
    qmax: num(r.qmax),
    status: str(r.status) as MeterStatus | undefined,
    parentMeterId: str(r.parent_meter_id),
    households: num(r.households),
    commercialUnits: num(r.commercial_units),
    installedAt: num(r.installed_at),
    activatedAt: num(r.activated_at),
    manufacturer: str(r.manufacturer),
    model: str(r.model),
    contact: str(r.contact),
    propertyCompany: str(r.property_company),
  };
  for (const k of Object.keys(meter) as (keyof MeterRecord)[]) if (meter[k] === undefined) delete meter[k];
  return { meter, effectiveAt: Number(r.ts), changedAt: num(r.changed_at), changedBy: str(r.changed_by) };
}

const text = (v: string | undefined): IlpField | undefined => (v === undefined ? undefined : { kind: 'string', value: v });
const dbl = (v: number | undefined): IlpField | undefined => (v === undefined ? undefined : { kind: 'double', value: v });
const int = (v: number | undefined): IlpField | undefined => (v === undefined ? undefined : { kind: 'int', value: v });
const tsf = (v: number | undefined): IlpField | undefined => (v === undefined ? undefined : { kind: 'timestamp', value: v });

export function meterToIlp(v: MeterVersion): IlpRow {
  const m = v.meter;
  return {
    ts: v.effectiveAt,
    symbols: {
      meter_id: m.meterId,
      customer_id: m.customerId,
      district: m.district,
      route: m.route,
      category: m.category,
      kind: m.kind,
      spec: m.spec,
      status: m.status,
      parent_meter_id: m.parentMeterId,
    },
    fields: {
      customer_name: text(m.customerName),
      address: text(m.address),
      qmax: dbl(m.qmax),
      households: int(m.households),
      commercial_units: int(m.commercialUnits),
      installed_at: tsf(m.installedAt),
      activated_at: tsf(m.activatedAt),
      manufacturer: text(m.manufacturer),
      model: text(m.model),
      contact: text(m.contact),
      property_company: text(m.propertyCompany),
      changed_at: tsf(v.changedAt),
      changed_by: text(v.changedBy),
    },
  };
}
