// Errors carry supervisord's fault names and codes, so the RPC layer maps them by table lookup.

export const FAULTS = {
  UNKNOWN_METHOD: 1,
  INCORRECT_PARAMETERS: 2,
  BAD_ARGUMENTS: 3,
  SIGNATURE_UNSUPPORTED: 4,
  SHUTDOWN_STATE: 6,
  BAD_NAME: 10,
  BAD_SIGNAL: 11,
  NO_FILE: 20,
  NOT_EXECUTABLE: 21,
  FAILED: 30,
  ABNORMAL_TERMINATION: 40,
  SPAWN_ERROR: 50,
  ALREADY_STARTED: 60,
  NOT_RUNNING: 70,
  SUCCESS: 80,
  ALREADY_ADDED: 90,
  STILL_RUNNING: 91,
  CANT_REREAD: 92,
} as const;
export type FaultName = keyof typeof FAULTS;

const BRAND = Symbol.for('procvisor.SupervisorError');

/**
 * Base of every error procvisor throws for a bad call. `code` is supervisord's fault name,
 * `faultCode` its number and `faultString` the text supervisord's XML-RPC fault carries.
 */
export class SupervisorError extends Error {
  readonly code: FaultName;
  /** The part after `FAULTNAME: ` in supervisord's fault string ('' when there is none). */
  readonly detail: string;
  /**
   * Whether the fault string has a `: detail` part. supervisord adds it whenever a value is given,
   * even an empty one (`BAD_NAME: ` for the name ''), and leaves it out otherwise (`BAD_NAME`).
   */
  readonly hasDetail: boolean;
  /** The last lines the process wrote, on start failures (SPAWN_ERROR, ABNORMAL_TERMINATION). */
  output?: { stdout: string[]; stderr: string[] };
  readonly [BRAND] = true;
  override name = 'SupervisorError';

  constructor(code: FaultName, detail?: string, message?: string, options?: ErrorOptions) {
    super(message ?? (detail !== undefined ? `${code}: ${detail}` : code), options);
    this.code = code;
    this.detail = detail ?? '';
    this.hasDetail = detail !== undefined;
  }
  get faultCode(): number {
    return FAULTS[this.code];
  }
  get faultString(): string {
    return this.hasDetail ? `${this.code}: ${this.detail}` : this.code;
  }
}

export function isSupervisorError(e: unknown): e is SupervisorError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

/** One subclass per fault our API raises; `detail` is the text after `FAULT: ` (none when undefined). */
abstract class Fault<C extends FaultName> extends SupervisorError {
  declare readonly code: C;
}

export class IncorrectParametersError extends Fault<'INCORRECT_PARAMETERS'> {
  constructor(detail?: string, message?: string, options?: ErrorOptions) {
    super('INCORRECT_PARAMETERS', detail, message, options);
    this.name = 'IncorrectParametersError';
  }
}
export class BadArgumentsError extends Fault<'BAD_ARGUMENTS'> {
  constructor(detail?: string, message?: string, options?: ErrorOptions) {
    super('BAD_ARGUMENTS', detail, message, options);
    this.name = 'BadArgumentsError';
  }
}
export class ShutdownStateError extends Fault<'SHUTDOWN_STATE'> {
  constructor(detail?: string, message?: string, options?: ErrorOptions) {
    super('SHUTDOWN_STATE', detail, message, options);
    this.name = 'ShutdownStateError';
  }
}
export class BadNameError extends Fault<'BAD_NAME'> {
  constructor(detail?: string, message?: string, options?: ErrorOptions) {
    super('BAD_NAME', detail, message, options);
    this.name = 'BadNameError';
  }
}
export class BadSignalError extends Fault<'BAD_SIGNAL'> {
  constructor(detail?: string, message?: string, options?: ErrorOptions) {
    super('BAD_SIGNAL', detail, message, options);
    this.name = 'BadSignalError';
  }
}
export class NoFileError extends Fault<'NO_FILE'> {
  constructor(detail?: string, message?: string, options?: ErrorOptions) {
    super('NO_FILE', detail, message, options);
    this.name = 'NoFileError';
  }
}
export class NotExecutableError extends Fault<'NOT_EXECUTABLE'> {
  constructor(detail?: string, message?: string, options?: ErrorOptions) {
    super('NOT_EXECUTABLE', detail, message, options);
    this.name = 'NotExecutableError';
  }
}
export class FailedError extends Fault<'FAILED'> {
  constructor(detail?: string, message?: string, options?: ErrorOptions) {
    super('FAILED', detail, message, options);
    this.name = 'FailedError';
  }
}
export class AbnormalTerminationError extends Fault<'ABNORMAL_TERMINATION'> {
  constructor(detail?: string, message?: string, options?: ErrorOptions) {
    super('ABNORMAL_TERMINATION', detail, message, options);
    this.name = 'AbnormalTerminationError';
  }
}
export class SpawnError extends Fault<'SPAWN_ERROR'> {
  constructor(detail?: string, message?: string, options?: ErrorOptions) {
    super('SPAWN_ERROR', detail, message, options);
    this.name = 'SpawnError';
  }
}
export class AlreadyStartedError extends Fault<'ALREADY_STARTED'> {
  constructor(detail?: string, message?: string, options?: ErrorOptions) {
    super('ALREADY_STARTED', detail, message, options);
    this.name = 'AlreadyStartedError';
  }
}
export class NotRunningError extends Fault<'NOT_RUNNING'> {
  constructor(detail?: string, message?: string, options?: ErrorOptions) {
    super('NOT_RUNNING', detail, message, options);
    this.name = 'NotRunningError';
  }
}
export class AlreadyAddedError extends Fault<'ALREADY_ADDED'> {
  constructor(detail?: string, message?: string, options?: ErrorOptions) {
    super('ALREADY_ADDED', detail, message, options);
    this.name = 'AlreadyAddedError';
  }
}
export class StillRunningError extends Fault<'STILL_RUNNING'> {
  constructor(detail?: string, message?: string, options?: ErrorOptions) {
    super('STILL_RUNNING', detail, message, options);
    this.name = 'StillRunningError';
  }
}

/** Where a configuration value came from, when it came from a file. */
export interface ConfigLocation {
  file?: string | undefined;
  line?: number | undefined;
  section?: string | undefined;
  option?: string | undefined;
}

/**
 * A bad configuration: an INI file, or an object passed to addProcessGroup. `message` is
 * supervisord's text where supervisord has one (with its ` in section '…' (file: '…')` suffix);
 * `file`, `line`, `section`, `option` say where. Its fault is CANT_REREAD.
 */
export class ConfigError extends SupervisorError {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly section: string | undefined;
  readonly option: string | undefined;
  constructor(message: string, where: ConfigLocation = {}, options?: ErrorOptions) {
    super('CANT_REREAD', message, message, options);
    this.name = 'ConfigError';
    this.file = where.file;
    this.line = where.line;
    this.section = where.section;
    this.option = where.option;
  }
}
