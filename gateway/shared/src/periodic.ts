import type { Logger } from "pino";

/**
 * Work that falls due as time passes rather than with a request: health's escalation watch and the gateway's protocol
 * watch. Passes run one after another, whether the timer or a caller asked for them; a failed pass is logged and the
 * next runs on time. Hand-written because it is a dozen lines over setTimeout: no scheduler library adds anything a
 * single process needs here (each pass is idempotent, so two replicas running it are safe).
 */
export interface Periodic<T> {
  /** Runs a pass now (after any in progress) and returns what it did. */
  runNow(): Promise<T>;
  /** Runs a pass now and then every `intervalMs` after the last one ended; 0 or less does nothing. */
  start(intervalMs: number): void;
  /** Stops the timer and waits for a pass in progress. */
  stop(): Promise<void>;
}

export function periodic<T>(
  pass: () => Promise<T>,
  log: Pick<Logger, "error">,
  /** The log line's `event` and message when a pass started by the timer fails. */
  failure: { event: string; message: string },
): Periodic<T> {
  let queue: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  let started = false;
  let stopped = false;

  function runNow(): Promise<T> {
    const next = queue.then(pass, pass);
    queue = next.catch(() => undefined);
    return next;
  }

  function schedule(delayMs: number, intervalMs: number) {
    if (stopped) return;
    timer = setTimeout(async () => {
      timer = null;
      try {
        await runNow();
      } catch (error) {
        log.error({ event: failure.event, error: (error as Error).message }, failure.message);
      }
      schedule(intervalMs, intervalMs);
    }, delayMs);
    timer.unref();
  }

  return {
    runNow,
    start(intervalMs) {
      if (intervalMs <= 0 || started || stopped) return;
      started = true;
      schedule(0, intervalMs);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await queue;
    },
  };
}
