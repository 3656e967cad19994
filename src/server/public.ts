// `procvisor/server`: the HTTP pieces an embedder composes (the daemon uses the same ones). The
// package's main entry stays the core (ProcessManager and configuration); this entry adds the
// server layer for those who serve the JSON API, the events stream or the status page themselves.
export { createHandler, listenInet, listenUnix } from './http-server.js';
export type { Credentials, Route, ServerOptions, InetServerConfig, UnixServerConfig } from './http-server.js';
export type { Supervisor } from './rpc-methods.js';
export { createJsonApi, MemoryProgramStore } from './json-api.js';
export type {
  JsonApi,
  JsonApiOptions,
  ProgramStore,
  StoredProgram,
  ProgramView,
  RunView,
  ProcessStatus,
  ActionResult,
  ApiErrorBody,
  ApiErrorCode,
} from './json-api.js';
export { createEventsApi } from './events-api.js';
export type { EventsApi, EventsApiOptions } from './events-api.js';
export { createStatusPage } from './status-page/status-page.js';
export type { StatusPageOptions } from './status-page/status-page.js';
export { Daemon } from './daemon.js';
export type { DaemonOptions } from './daemon.js';
