/**
 * One error base class with stable codes (architecture.md, "Style"): callers branch on
 * `code`, people read `message`, and `hint` says how to fix it when there is a fix.
 */
export const ErrorCodes = {
  CONFIG_INVALID: 'MW_ERR_CONFIG_INVALID',
  JAVA_MISSING: 'MW_ERR_JAVA_MISSING',
  JAVA_TOO_OLD: 'MW_ERR_JAVA_TOO_OLD',
  MAVEN_MISSING: 'MW_ERR_MAVEN_MISSING',
  JAR_FETCH_FAILED: 'MW_ERR_JAR_FETCH_FAILED',
  JAR_CHECKSUM_MISMATCH: 'MW_ERR_JAR_CHECKSUM_MISMATCH',
  PORT_IN_USE: 'MW_ERR_PORT_IN_USE',
  QUESTDB_START_FAILED: 'MW_ERR_QUESTDB_START_FAILED',
  QUESTDB_UNREACHABLE: 'MW_ERR_QUESTDB_UNREACHABLE',
  MIGRATION_FAILED: 'MW_ERR_MIGRATION_FAILED',
  VALIDATION: 'MW_ERR_VALIDATION',
  NOT_FOUND: 'MW_ERR_NOT_FOUND',
  STORAGE: 'MW_ERR_STORAGE',
  /** A ledger case or proposal cannot take this action in its current state. */
  ILLEGAL_TRANSITION: 'MW_ERR_ILLEGAL_TRANSITION',
  /** No (valid) API token where one is required. */
  UNAUTHENTICATED: 'MW_ERR_UNAUTHENTICATED',
  /** The caller's role may not do this. */
  FORBIDDEN: 'MW_ERR_FORBIDDEN',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class MeterwatchError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MeterwatchError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ? Object.freeze({ ...options.details }) : undefined;
  }

  /** The message a person sees on the console: what went wrong, then how to fix it. */
  describe(): string {
    return this.hint ? `${this.message}\n  fix: ${this.hint}` : this.message;
  }
}

export function isMeterwatchError(err: unknown): err is MeterwatchError {
  return err instanceof MeterwatchError;
}
