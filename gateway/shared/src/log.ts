import { AsyncLocalStorage } from "node:async_hooks";
import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger } from "pino";

/**
 * What every log line about one request carries, wherever in the request it is written: set where each service
 * starts a request (withRequestLog), and every such line has them.
 */
export interface RequestLogFields {
  requestId: string;
  /** The request's OpenTelemetry trace, while tracing is on: joins its log lines to its spans. */
  traceId?: string;
}

// A mixin reading the request's fields from AsyncLocalStorage, rather than a child logger per request: some lines
// about a request are written where the request's context is out of reach (Apollo's formatError, the audit routine
// the gateway and the agencies share), so a child logger would have to be threaded through each of them. This way
// a line written anywhere inside the request carries its id, and nothing between has to know.
const requestFields = new AsyncLocalStorage<RequestLogFields>();

/** Runs one request's work: every log line written inside it, across awaits, carries these fields. */
export function withRequestLog<T>(fields: RequestLogFields, work: () => T): T {
  return requestFields.run(fields, work);
}

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/**
 * JSON lines: `level` as a word, `time` (epoch ms), `service`, the request's fields when inside one, then the
 * line's own fields and `message`. No pid or hostname: the platform that runs the process adds where it ran.
 */
export function createRootLogger(destination?: DestinationStream, level = process.env.LOG_LEVEL ?? "info"): Logger {
  const known = LEVELS.includes(level);
  const options = {
    base: null,
    level: known ? level : "info",
    messageKey: "message",
    formatters: { level: (label: string) => ({ level: label }) },
    mixin: () => requestFields.getStore() ?? {},
  };
  const root = destination ? pino(options, destination) : pino(options);
  if (!known) root.warn({ levels: LEVELS.join(", ") }, `LOG_LEVEL "${level.slice(0, 20)}" is not a level; using info`);
  return root;
}

let root: Logger | undefined;
const services = new Map<string, Logger>();

/** The logger of one service (one per name, sharing the process's one output stream). */
export function serviceLog(service: string): Logger {
  root ??= createRootLogger();
  let log = services.get(service);
  if (!log) {
    log = root.child({ service });
    services.set(service, log);
  }
  return log;
}
