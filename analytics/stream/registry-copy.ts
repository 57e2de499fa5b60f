import type { MeterCategory, MeterKind, MeterStatus } from '../../core/types.ts';
import type { MeterInfo } from '../rules/context.ts';
import type { MeterIndex } from './meter-index.ts';
import { PackedStrings, grown } from './packed-strings.ts';

/** Distinct values of a low-cardinality field (category, district, route…) by number; 0 is "none". */
class Codes<T extends string> {
  private readonly byValue = new Map<T, number>();
  readonly values: (T | undefined)[] = [undefined];

  of(v: T | undefined): number {
    if (v === undefined) return 0;
    let code = this.byValue.get(v);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(v);
      this.byValue.set(v, code);
    }
    return code;
  }
}

const NONE = -1;

/**
 * One registry copy for the stream rules, as columns by meter slot (meter-index.ts): at a
 * million meters these are a few typed arrays instead of a million MeterInfo objects and
 * two million strings that every major garbage collection of the ingest process would trace
 * (issue: analytics, item 6). A meter's info is read as a MeterView, made per reading: the
 * fields the rules test on every reading are plain, the identity an alert carries is read
 * from the columns only when an alert asks for it.
 */
export class RegistryCopy {
  private readonly categories = new Codes<MeterCategory>();
  private readonly kinds = new Codes<MeterKind>();
  private readonly statuses = new Codes<MeterStatus>();
  private readonly places = new Codes<string>(); // districts and routes
  private readonly parents = new Codes<string>();
  private readonly customers = new PackedStrings();
  private present = new Uint8Array(0);
  private blacklisted = new Uint8Array(0);
  private category = new Uint8Array(0);
  private kind = new Uint8Array(0);
  private status = new Uint8Array(0);
  private district = new Int32Array(0);
  private route = new Int32Array(0);
  private parent = new Int32Array(0);
  private customer = new Int32Array(0);
  private qmax = new Float64Array(0);
  private activatedAt = new Float64Array(0);
  private readonly replaced = new Map<number, readonly number[]>();
  private hasReplacements = new Uint8Array(0);
  private count = 0;

  constructor(
    readonly index: MeterIndex,
    meters: Iterable<MeterInfo>,
    replacements: ReadonlyMap<string, readonly number[]> = new Map(),
  ) {
    for (const m of meters) this.put(m);
    for (const [meterId, instants] of replacements) {
      const slot = index.add(meterId);
      this.ensure(slot);
      this.replaced.set(slot, instants);
      this.hasReplacements[slot] = 1;
    }
  }

  /** Meters in the copy. */
  get size(): number {
    return this.count;
  }

  has(slot: number): boolean {
    return slot >= 0 && slot < this.present.length && this.present[slot] === 1;
  }

  /** The meter's info as of this copy (undefined: not in it); `meterId` is the slot's id, as the caller has it. */
  view(slot: number, meterId: string): MeterView | undefined {
    return this.has(slot) ? new MeterView(this, slot, meterId) : undefined;
  }

  /** Recorded replacement instants of the meter, ascending, or undefined when none. */
  replacementsAt(slot: number): readonly number[] | undefined {
    return slot >= 0 && slot < this.hasReplacements.length && this.hasReplacements[slot] === 1 ? this.replaced.get(slot) : undefined;
  }

  categoryAt(slot: number): MeterCategory | undefined {
    return this.categories.values[this.category[slot]!];
  }

  kindAt(slot: number): MeterKind | undefined {
    return this.kinds.values[this.kind[slot]!];
  }

  statusAt(slot: number): MeterStatus | undefined {
    return this.statuses.values[this.status[slot]!];
  }

  districtAt(slot: number): string | undefined {
    return this.places.values[this.district[slot]!];
  }

  routeAt(slot: number): string | undefined {
    return this.places.values[this.route[slot]!];
  }

  parentAt(slot: number): string | undefined {
    return this.parents.values[this.parent[slot]!];
  }

  customerAt(slot: number): string | undefined {
    const n = this.customer[slot]!;
    return n === NONE ? undefined : this.customers.get(n);
  }

  qmaxAt(slot: number): number | undefined {
    const q = this.qmax[slot]!;
    return Number.isNaN(q) ? undefined : q;
  }

  activatedAtOf(slot: number): number | undefined {
    const t = this.activatedAt[slot]!;
    return Number.isNaN(t) ? undefined : t;
  }

  blacklistedAt(slot: number): boolean {
    return this.blacklisted[slot] === 1;
  }

  private put(m: MeterInfo): void {
    const slot = this.index.add(m.meterId);
    this.ensure(slot);
    if (this.present[slot] === 0) this.count++;
    this.present[slot] = 1;
    this.blacklisted[slot] = m.blacklisted ? 1 : 0;
    this.category[slot] = this.categories.of(m.category);
    this.kind[slot] = this.kinds.of(m.kind);
    this.status[slot] = this.statuses.of(m.status);
    this.district[slot] = this.places.of(m.district);
    this.route[slot] = this.places.of(m.route);
    this.parent[slot] = this.parents.of(m.parentMeterId);
    this.customer[slot] = m.customerId === undefined ? NONE : this.customers.add(m.customerId);
    this.qmax[slot] = m.qmax ?? Number.NaN;
    this.activatedAt[slot] = m.activatedAt ?? Number.NaN;
  }

  private ensure(slot: number): void {
    if (slot < this.present.length) return;
    const min = Math.max(slot + 1, this.index.size);
    const from = this.present.length;
    this.present = grown(this.present, min);
    this.blacklisted = grown(this.blacklisted, min);
    this.category = grown(this.category, min);
    this.kind = grown(this.kind, min);
    this.status = grown(this.status, min);
    this.district = grown(this.district, min);
    this.route = grown(this.route, min);
    this.parent = grown(this.parent, min);
    this.customer = grown(this.customer, min);
    this.qmax = grown(this.qmax, min);
    this.activatedAt = grown(this.activatedAt, min);
    this.hasReplacements = grown(this.hasReplacements, min);
    this.customer.fill(NONE, from);
  }
}

/**
 * A meter's registry info read from a RegistryCopy (a MeterInfo). Made per reading and
 * dropped with it: what the rules test on every reading is copied in, the rest (customer,
 * district, route…, which an alert carries) is read from the columns when asked.
 */
export class MeterView implements MeterInfo {
  readonly category: MeterCategory | undefined;
  readonly qmax: number | undefined;
  readonly blacklisted: boolean;

  constructor(
    private readonly copy: RegistryCopy,
    private readonly slot: number,
    readonly meterId: string,
  ) {
    this.category = copy.categoryAt(slot);
    this.qmax = copy.qmaxAt(slot);
    this.blacklisted = copy.blacklistedAt(slot);
  }

  get customerId(): string | undefined {
    return this.copy.customerAt(this.slot);
  }

  get district(): string | undefined {
    return this.copy.districtAt(this.slot);
  }

  get route(): string | undefined {
    return this.copy.routeAt(this.slot);
  }

  get kind(): MeterKind | undefined {
    return this.copy.kindAt(this.slot);
  }

  get status(): MeterStatus | undefined {
    return this.copy.statusAt(this.slot);
  }

  get parentMeterId(): string | undefined {
    return this.copy.parentAt(this.slot);
  }

  get activatedAt(): number | undefined {
    return this.copy.activatedAtOf(this.slot);
  }

  /** Serialised as the plain MeterInfo (never as the columns it reads from). */
  toJSON(): MeterInfo {
    return this.toInfo();
  }

  /** A plain MeterInfo (for callers that copy or serialise it). */
  toInfo(): MeterInfo {
    return {
      meterId: this.meterId,
      customerId: this.customerId,
      district: this.district,
      route: this.route,
      category: this.category,
      kind: this.kind,
      status: this.status,
      qmax: this.qmax,
      parentMeterId: this.parentMeterId,
      activatedAt: this.activatedAt,
      blacklisted: this.blacklisted,
    };
  }
}
