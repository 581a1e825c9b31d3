/**
 * One GraphQL POST to the gateway (GATEWAY_URL) as the signed-in officer, with the access token the identity provider
 * issued to that officer at sign-in. The portal signs no token of its own. Shared by the action card and the alerts.
 */

export interface GatewayError {
  message: string;
  /** `field` names what was refused (FORBIDDEN, "Type.field") or what to fix (BAD_USER_INPUT, "purpose.reference"). */
  extensions?: { code?: string; field?: string };
  /** Where in the answer the error is (the field left null). */
  path?: (string | number)[];
}

export interface GraphqlAnswer<Data> {
  data?: Data | null;
  errors?: GatewayError[];
}

/** The gateway's answer in GraphQL, or why there is none: `reason` completes "The gateway …". */
export type GatewayReply<Data> = { ok: true; answer: GraphqlAnswer<Data> } | { ok: false; reason: string };

export interface GatewayRequest {
  gatewayUrl: string;
  accessToken: string;
  query: string;
  variables: Record<string, unknown>;
  timeoutMs: number;
  /** Ends the wait early (the browser that asked has gone); answered as "could not be reached". */
  signal?: AbortSignal;
}

export async function askGateway<Data>(request: GatewayRequest): Promise<GatewayReply<Data>> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  let response: Response;
  try {
    response = await fetch(request.gatewayUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${request.accessToken}` },
      body: JSON.stringify({ query: request.query, variables: request.variables }),
      signal: request.signal ? AbortSignal.any([timeout, request.signal]) : timeout,
    });
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === "TimeoutError";
    return {
      ok: false,
      reason: timedOut ? `did not answer within ${request.timeoutMs / 1000} seconds` : "could not be reached",
    };
  }
  const answer = (await response.json().catch(() => null)) as GraphqlAnswer<Data> | null;
  if (!answer || (!answer.data && !answer.errors))
    return { ok: false, reason: `answered with an error (HTTP ${response.status})` };
  return { ok: true, answer };
}
