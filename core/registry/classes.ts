/**
 * Class memberships shown with a meter (issue 4 item 1; domain.md §4, §5): the ≥ 40 m³/h
 * class, the ≥ 100 m³/month class, the blacklist and the abnormal-usage ledger. The
 * registry only defines the shape; analytics supplies the figures through a `ClassSource`.
 */
export interface ClassMembership {
  member: boolean;
  /** Since when (epoch ms), when a member. */
  since?: number | undefined;
  /** The evidence that put the meter in the class (e.g. the month and value). */
  evidence?: string | undefined;
}

export interface LedgerCaseSummary {
  caseId: string;
  rule: string;
  state: string;
  openedAt: number;
}

export interface MeterClasses {
  /** ≥ 40 m³/h: on-site check twice a month (domain.md §4 "large flow"). */
  largeFlow: ClassMembership;
  /** ≥ 100 m³ in a month: monthly site check (domain.md §4 "residential high usage"). */
  highMonthlyUsage: ClassMembership;
  blacklist: ClassMembership;
  /** Open and recent abnormal-usage ledger cases (domain.md §5). */
  ledger: { open: boolean; cases: LedgerCaseSummary[] };
}

export type ClassSource = (meterId: string, customerId: string | undefined, asOf: number) => Promise<MeterClasses>;

export function noClasses(): MeterClasses {
  return {
    largeFlow: { member: false },
    highMonthlyUsage: { member: false },
    blacklist: { member: false },
    ledger: { open: false, cases: [] },
  };
}
