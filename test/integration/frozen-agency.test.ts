import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PURPOSE, startCluster, type Cluster } from "../support/cluster.js";

/**
 * An agency that stops answering costs one deadline, not one per request: after the first missed deadline its
 * breaker opens and reads answer at once with the other agencies' sections, until a background probe finds it
 * answering again.
 */
const READ = `{ child(id: "9990000018", ${PURPOSE}) {
  givenName police { missingEpisodes { id } } socialCare { legalStatus { code } } health { gpPractice { name } }
} }`;
const DEADLINE_MS = 2000;

describe("a frozen or killed agency", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ env: { SUBGRAPH_TIMEOUT_MS: String(DEADLINE_MS) } });
  });
  afterAll(async () => {
    cluster?.signalAgency("health", "SIGCONT");
    await cluster?.close();
  });

  async function timedRead() {
    const started = performance.now();
    const result = await cluster.query(READ, undefined, { as: "social-worker" });
    return { result, ms: performance.now() - started };
  }

  const p50 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

  /** Reads until health's section is back, and returns how long that took. */
  async function untilHealthBack(limitMs: number): Promise<number> {
    const started = performance.now();
    for (;;) {
      const { result } = await timedRead();
      if (result.data?.child?.health?.gpPractice) return performance.now() - started;
      if (performance.now() - started > limitMs) throw new Error(`health's section was not back within ${limitMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  function expectOthersWithoutHealth(result: Awaited<ReturnType<typeof timedRead>>["result"]) {
    expect(result.data.child.givenName).toBe("Amber");
    expect(result.data.child.police.missingEpisodes.length).toBeGreaterThan(0);
    expect(result.data.child.socialCare.legalStatus.code).toBe("C1");
    expect(result.data.child.health).toBeNull();
    expect(result.errors).toEqual([
      expect.objectContaining({ extensions: { code: "AGENCY_UNAVAILABLE", agency: "HEALTH" } }),
    ]);
  }

  it("frozen (SIGSTOP): the first read waits out the deadline, the rest answer at once, and it is back soon after SIGCONT", async () => {
    expect((await timedRead()).result.data.child.health.gpPractice).toBeTruthy();
    cluster.signalAgency("health", "SIGSTOP");
    const first = await timedRead();
    expect(first.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 100);
    expectOthersWithoutHealth(first.result);
    const following = [];
    for (let i = 0; i < 20; i += 1) {
      const read = await timedRead();
      expectOthersWithoutHealth(read.result);
      expect(read.result.errors![0].message).toMatch(/health service has not been answering/);
      following.push(read.ms);
    }
    console.log(
      `frozen agency: first read ${first.ms.toFixed(0)} ms; following reads p50 ${p50(following).toFixed(0)} ms`,
    );
    expect(p50(following)).toBeLessThanOrEqual(100);
    cluster.signalAgency("health", "SIGCONT");
    const back = await untilHealthBack(10_000);
    console.log(`frozen agency: section back ${back.toFixed(0)} ms after SIGCONT`);
  });

  it("killed and restarted: reads answer at once while it is down, and its section is back soon after it restarts", async () => {
    expect((await timedRead()).result.data.child.health.gpPractice).toBeTruthy();
    cluster.signalAgency("health", "SIGKILL");
    const down = [];
    for (let i = 0; i < 10; i += 1) {
      const read = await timedRead();
      expectOthersWithoutHealth(read.result);
      down.push(read.ms);
    }
    expect(p50(down)).toBeLessThanOrEqual(100);
    await cluster.restartAgency("health");
    const back = await untilHealthBack(10_000);
    console.log(
      `killed agency: reads p50 ${p50(down).toFixed(0)} ms while down; section back ${back.toFixed(0)} ms after restart`,
    );
  });
});
