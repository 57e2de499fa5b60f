/**
 * Who may call the HTTP API (domain.md §1; issue 7 item 4). `system` is the service itself
 * (cases opened from alerts); it never comes from a token.
 */
export const ROLES = ['analyst', 'inspector', 'supervisor', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  name: string;
  role: Role | 'system';
}

export const SYSTEM: Principal = Object.freeze({ name: 'meterwatch', role: 'system' });

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
