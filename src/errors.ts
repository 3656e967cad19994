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
  readonly [BRAND] = true;
  override name = 'SupervisorError';

  constructor(code: FaultName, detail = '', message?: string, options?: ErrorOptions) {
    super(message ?? (detail ? `${code}: ${detail}` : code), options);
    this.code = code;
    this.detail = detail;
  }
  get faultCode(): number {
    return FAULTS[this.code];
  }
  get faultString(): string {
    return this.detail ? `${this.code}: ${this.detail}` : this.code;
  }
}

export function isSupervisorError(e: unknown): e is SupervisorError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

function faultClass<C extends FaultName>(code: C, className: string) {
  const cls = class extends SupervisorError {
    declare readonly code: C;
    constructor(detail = '', message?: string, options?: ErrorOptions) {
      super(code, detail, message, options);
      this.name = className;
    }
  };
  Object.defineProperty(cls, 'name', { value: className });
  return cls;
}

export const IncorrectParametersError = faultClass('INCORRECT_PARAMETERS', 'IncorrectParametersError');
export const BadArgumentsError = faultClass('BAD_ARGUMENTS', 'BadArgumentsError');
export const ShutdownStateError = faultClass('SHUTDOWN_STATE', 'ShutdownStateError');
export const BadNameError = faultClass('BAD_NAME', 'BadNameError');
export const BadSignalError = faultClass('BAD_SIGNAL', 'BadSignalError');
export const NoFileError = faultClass('NO_FILE', 'NoFileError');
export const NotExecutableError = faultClass('NOT_EXECUTABLE', 'NotExecutableError');
export const FailedError = faultClass('FAILED', 'FailedError');
export const AbnormalTerminationError = faultClass('ABNORMAL_TERMINATION', 'AbnormalTerminationError');
export const SpawnError = faultClass('SPAWN_ERROR', 'SpawnError');
export const AlreadyStartedError = faultClass('ALREADY_STARTED', 'AlreadyStartedError');
export const NotRunningError = faultClass('NOT_RUNNING', 'NotRunningError');
export const AlreadyAddedError = faultClass('ALREADY_ADDED', 'AlreadyAddedError');
export const StillRunningError = faultClass('STILL_RUNNING', 'StillRunningError');

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
