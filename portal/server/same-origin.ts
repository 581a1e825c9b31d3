import type { IncomingMessage } from "node:http";

/**
 * Whether a form post came from another site. The session cookie is SameSite=Lax, so another site's form does not
 * carry it anyway; this refuses the attempt outright, where the browser says where the form was. Sec-Fetch-Site
 * first: pages sent with no-referrer post their forms with "Origin: null", and it is not affected.
 */
export function postedFromElsewhere(request: IncomingMessage, portalOrigin: string): boolean {
  const fetchSite = request.headers["sec-fetch-site"];
  const origin = request.headers.origin;
  return fetchSite
    ? fetchSite !== "same-origin" && fetchSite !== "none"
    : Boolean(origin && origin !== "null" && origin !== portalOrigin);
}
