import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  type CircuitBreakerPolicy,
} from "cockatiel";

/**
 * Why a call to an agency failed in a way that says the agency itself is not answering (it missed the deadline or
 * refused the connection), as opposed to answering with an error of its own.
 */
export class AgencySilent extends Error {
  constructor(
    readonly reason: string,
    /**
     * Whether it says the agency itself is down (a missed deadline, a refused connection) and so counts against its
     * breaker. A connection dropped mid-request (a kept-alive socket the agency had just closed) fails that call
     * only: one reset must not stop every read from asking a healthy agency.
     */
    readonly counts = true,
  ) {
    super(reason);
  }
}

const DOWN = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

/** The AgencySilent for a call that failed with `error`: timed out, refused, or dropped. */
export function silenceOf(error: unknown, timedOut: boolean, timeoutMs: number): AgencySilent {
  if (timedOut) return new AgencySilent(`did not answer within ${timeoutMs / 1000} s`);
  const code =
    (error as { code?: unknown; cause?: { code?: unknown } } | null)?.code ??
    (error as { cause?: { code?: unknown } })?.cause?.code;
  return new AgencySilent("could not be reached", typeof code === "string" && DOWN.has(code));
}

/** What a caller is told while an agency's breaker is open. */
export const NOT_ANSWERING =
  "has not been answering for the last few seconds (the gateway keeps checking and asks it again as soon as it answers)";

export interface AgencyBreaker {
  /**
   * Runs a call through the breaker. While the breaker is open the call is not made: it fails at once with
   * AgencySilent(NOT_ANSWERING). A call that throws AgencySilent counts against the agency.
   */
  call<T>(fn: () => Promise<T>): Promise<T>;
  readonly open: boolean;
}

const PROBE_TIMEOUT_MS = 1000;

type BreakerListener = (healthUrl: string, open: boolean) => void;
const listeners = new Set<BreakerListener>();

/**
 * Told whenever any agency's breaker opens or closes, with the agency's health URL: the up gauge and the log line
 * saying an agency stopped or started answering. Returns a function that stops listening.
 */
export function onAgencyBreakerChange(listener: BreakerListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * A circuit breaker per agency (cockatiel): one missed deadline or refused connection opens it, so a frozen agency
 * costs one deadline, not one per request. While it is open no user's request waits for the agency; a background
 * probe of the agency's /health, one at a time, is the half-open trial, and the first probe that answers closes it.
 * Users' calls are never the trial, so none of them waits out a deadline to find the agency still frozen.
 */
export function createAgencyBreaker(healthUrl: string, onChange?: (open: boolean) => void): AgencyBreaker {
  const policy: CircuitBreakerPolicy = circuitBreaker(
    handleWhen((error) => error instanceof AgencySilent && error.counts),
    {
      breaker: new ConsecutiveBreaker(1),
      // The first probe half a second after the break, then backing off to one every 4 s at most: an agency that
      // comes back is used again within 5 s.
      halfOpenAfter: new ExponentialBackoff({ initialDelay: 500, maxDelay: 4000 }),
    },
  );
  let probing: NodeJS.Timeout | null = null;
  const probe = async () => {
    try {
      await policy.execute(async () => {
        try {
          const response = await fetch(healthUrl, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
          await response.arrayBuffer();
          if (!response.ok) throw new AgencySilent(`health probe answered ${response.status}`);
        } catch (error) {
          throw error instanceof AgencySilent ? error : new AgencySilent("health probe did not answer");
        }
      });
    } catch {
      // Still silent (or not yet time for the trial): the next tick tries again.
    }
  };
  // onBreak fires again each time a half-open trial fails; tell the listener about changes only.
  let down = false;
  policy.onBreak(() => {
    if (!down) {
      down = true;
      onChange?.(true);
      for (const listener of listeners) listener(healthUrl, true);
    }
    if (probing) return;
    probing = setInterval(() => void probe(), 250);
    probing.unref();
  });
  policy.onReset(() => {
    if (down) {
      down = false;
      onChange?.(false);
      for (const listener of listeners) listener(healthUrl, false);
    }
    if (probing) clearInterval(probing);
    probing = null;
  });
  return {
    get open() {
      return policy.state !== CircuitState.Closed;
    },
    async call(fn) {
      if (policy.state !== CircuitState.Closed) throw new AgencySilent(NOT_ANSWERING);
      try {
        return await policy.execute(fn);
      } catch (error) {
        if (error instanceof BrokenCircuitError) throw new AgencySilent(NOT_ANSWERING);
        throw error;
      }
    },
  };
}
