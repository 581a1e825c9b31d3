/**
 * Names both sides of a sign-in agree on: the provider registers them, and the clients (the portal, the
 * development tools) use them. Kept apart from the provider so importing them loads no oidc-provider.
 */

/** The resource indicator (RFC 8707) a client asks for to get an access token for the gateway. */
export const GATEWAY_RESOURCE = "urn:safeguarding:gateway";
/** The scope of the gateway resource; the gateway reads roles from claims, not scopes, so it is one scope. */
export const GATEWAY_SCOPE = "gateway";
/** What the provider answers on: the issuer URL when nothing is set. */
export const DEFAULT_IDP_PORT = 4400;

/** The training portal: a confidential web client (authorization code + PKCE, client_secret_basic). */
export const PORTAL_CLIENT_ID = "safeguarding-portal";
/**
 * Tests, the bench and `npm run token`: a public client that drives the same code + PKCE flow over HTTP. Its
 * redirect URI is never visited; the helper reads the code from the redirect itself.
 */
export const DEV_TOOLS_CLIENT_ID = "safeguarding-dev-tools";
export const DEV_TOOLS_REDIRECT_URI = "http://127.0.0.1/dev-tools/callback";

/**
 * The gateway's API explorer (`/explorer`, development only): a public client that runs in the browser, does code +
 * PKCE itself and keeps the token in the tab. Its redirect URI is on the gateway's own origin, so it follows
 * GATEWAY_PORT.
 */
export const API_EXPLORER_CLIENT_ID = "safeguarding-api-explorer";
export const API_EXPLORER_CALLBACK_PATH = "/explorer/callback";

/** The explorer's redirect URIs for a gateway on this port: both loopback names a developer may type. */
export function apiExplorerRedirectUris(gatewayPort: number | string): string[] {
  return ["127.0.0.1", "localhost"].map((host) => `http://${host}:${gatewayPort}${API_EXPLORER_CALLBACK_PATH}`);
}

/** Scopes a client asks for: who the user is, their address, and their role and organisation. */
export const SIGN_IN_SCOPE = `openid profile email safeguarding ${GATEWAY_SCOPE}`;
