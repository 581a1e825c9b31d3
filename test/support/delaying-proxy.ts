import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** An HTTP proxy that holds every request for `delayMs` before forwarding it: a slow agency, for timeout tests. */
export async function startDelayingProxy(
  targetGraphqlUrl: string,
  delayMs: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(targetGraphqlUrl);
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (response.destroyed) return;
    try {
      const forwarded = await fetch(new URL(request.url ?? "/", target), {
        method: request.method,
        headers: { "content-type": request.headers["content-type"] ?? "application/json" },
        body: request.method === "POST" ? Buffer.concat(chunks) : undefined,
      });
      response.writeHead(forwarded.status, {
        "content-type": forwarded.headers.get("content-type") ?? "application/json",
      });
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
