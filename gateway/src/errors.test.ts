import { describe, expect, it } from "vitest";
import { agencyUnavailable, formatGatewayError } from "./errors.js";

describe("formatGatewayError", () => {
  it("keeps errors a caller can act on, without internals", () => {
    const formatted = formatGatewayError({
      message: "An NHS number has 10 digits; this one has 8.",
      path: ["child"],
      extensions: { code: "BAD_USER_INPUT", field: "id", stacktrace: ["at x (/srv/app.js:1:1)"], serviceName: "index" },
    });
    expect(formatted).toEqual({
      message: "An NHS number has 10 digits; this one has 8.",
      path: ["child"],
      locations: undefined,
      extensions: { code: "BAD_USER_INPUT", field: "id" },
    });
  });

  it("turns an agency's own error into one error naming the agency, with no URL or body", () => {
    const formatted = formatGatewayError({
      message: "request to http://10.0.0.7:4001/graphql failed, reason: connect ECONNREFUSED",
      extensions: {
        code: "DOWNSTREAM_SERVICE_ERROR",
        serviceName: "police",
        response: { url: "http://10.0.0.7:4001/graphql", body: "<html>" },
      },
    });
    expect(formatted.extensions).toEqual({ code: "AGENCY_ERROR", agency: "POLICE" });
    expect(formatted.message).toMatch(/police service could not answer part of this request/);
    expect(JSON.stringify(formatted)).not.toMatch(/10\.0\.0\.7|ECONNREFUSED|html/);
  });

  it("replaces anything unexpected with a plain internal error", () => {
    const formatted = formatGatewayError({
      message: "Cannot read properties of undefined (reading 'rows') at /srv/x.js",
    });
    expect(formatted).toMatchObject({ extensions: { code: "INTERNAL_SERVER_ERROR" } });
    expect(formatted.message).not.toMatch(/undefined|srv/);
  });

  it("builds agency-unavailable errors that pass through unchanged", () => {
    const error = agencyUnavailable("HEALTH", "did not answer within 5 s");
    expect(error.extensions).toEqual({ code: "AGENCY_UNAVAILABLE", agency: "HEALTH" });
    expect(formatGatewayError({ message: error.message, extensions: error.extensions }).message).toMatch(
      /health service did not answer within 5 s/,
    );
  });
});
