import { describe, expect, it } from "vitest";
import { createRootLogger, withRequestLog } from "./log.js";

function capture(level?: string) {
  const lines: Record<string, unknown>[] = [];
  const log = createRootLogger({ write: (line: string) => lines.push(JSON.parse(line)) }, level);
  return { log, lines };
}

describe("service logs", () => {
  it("write one JSON object a line: level as a word, the service, the message", () => {
    const { log, lines } = capture();
    log.child({ service: "police" }).info({ event: "ready", url: "http://127.0.0.1:1/graphql" }, "ready");
    expect(lines).toEqual([
      {
        level: "info",
        time: expect.any(Number),
        service: "police",
        event: "ready",
        url: "http://127.0.0.1:1/graphql",
        message: "ready",
      },
    ]);
  });

  it("tag every line inside a request with its id, across awaits, and no line outside it", async () => {
    const { log, lines } = capture();
    const police = log.child({ service: "police" });
    await withRequestLog({ requestId: "r-1" }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      police.error({ error: "boom" }, "unexpected error");
    });
    police.warn("idle database connection closed");
    expect(lines.map((l) => l.requestId)).toEqual(["r-1", undefined]);
    expect(lines[0]).toMatchObject({ service: "police", requestId: "r-1", error: "boom" });
  });

  it("fall back to info, saying so, when LOG_LEVEL is not a level", () => {
    const { log, lines } = capture("loud");
    log.debug("not written");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "warn", message: expect.stringMatching(/LOG_LEVEL "loud"/) });
  });
});
