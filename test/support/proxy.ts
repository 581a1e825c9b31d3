import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface ProxyOptions {
  /** Holds every request this long before forwarding it: a slow agency, for timeout tests. */
  delayMs?: number;
  /** Sees every request's headers before it is forwarded: the cluster counts agency calls per request id with it. */
  onRequest?: (headers: Record<string, string | string[] | undefined>) => void;
}

const HOP_BY_HOP = new Set(["host", "connection", "content-length", "keep-alive", "transfer-encoding"]);

/** An HTTP proxy in front of one agency: it forwards requests and answers faithfully, after an optional delay. */
export async function startProxy(
  targetGraphqlUrl: string,
  options: ProxyOptions = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(targetGraphqlUrl);
  const server = createServer(async (request, response) => {
    options.onRequest?.(request.headers);
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    if (response.destroyed) return;
    try {
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter(
          (entry): entry is [string, string] => typeof entry[1] === "string" && !HOP_BY_HOP.has(entry[0]),
        ),
      );
      const forwarded = await fetch(new URL(request.url ?? "/", target), {
        method: request.method,
        headers,
        body: request.method === "POST" ? Buffer.concat(chunks) : undefined,
      });
      const back: Record<string, string> = {};
      forwarded.headers.forEach((value, name) => {
        if (!HOP_BY_HOP.has(name) && name !== "content-encoding") back[name] = value;
      });
      response.writeHead(forwarded.status, back);
      response.end(Buffer.from(await forwarded.arrayBuffer()));
    } catch {
      if (!response.headersSent) response.writeHead(502).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A proxy that holds every request for `delayMs` before forwarding it: a slow agency, for timeout tests. */
export function startDelayingProxy(targetGraphqlUrl: string, delayMs: number) {
  return startProxy(targetGraphqlUrl, { delayMs });
}
