import type { ExampleOperation } from "./examples.js";

/**
 * What the explorer page is told at `/explorer/config.json`. Types only, shared with the browser app
 * (gateway/explorer), which imports nothing else from the server.
 */

export interface ExplorerSignIn {
  /** The development identity provider (the gateway's AUTH_ISSUER). */
  issuer: string;
  clientId: string;
  scope: string;
  /** The resource indicator that gets an access token for the gateway. */
  resource: string;
  /** Where the provider sends the browser back to, on the gateway's origin. */
  callbackPath: string;
}

export interface ExplorerDemoUser {
  id: string;
  name: string;
  role: string;
  roleDescription: string;
  organisation: string;
  /** What this user may see. */
  note: string;
}

export interface ExplorerPurpose {
  code: string;
  description: string;
}

export interface ExplorerPageConfig {
  graphqlPath: string;
  /** null when the gateway trusts no OpenID Connect issuer (no AUTH_ISSUER): paste a token in the headers instead. */
  signIn: ExplorerSignIn | null;
  demoUsers: ExplorerDemoUser[];
  purposes: ExplorerPurpose[];
  examples: readonly ExampleOperation[];
}
