// A container health check: exit 0 when the URL answers 2xx within 3 s, 1 otherwise. The images are
// node:*-slim, which have no curl or wget, so the check is made with Node's own fetch.
//   node deploy/probe.mjs http://127.0.0.1:4001/ready
const url = process.argv[2];
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
  process.exitCode = response.ok ? 0 : 1;
} catch {
  process.exitCode = 1;
}
