/** Identifiers (interface.md §1): 1–64 letters, digits, `-`, `_` and `.`. */
const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}
