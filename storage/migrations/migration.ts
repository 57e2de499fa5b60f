/** A schema step. Each statement must be idempotent on its own (IF NOT EXISTS …). */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}
