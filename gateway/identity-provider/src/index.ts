export { identityProviderOptionsFromEnv } from "./config.js";
export {
  DemoSignInRefused,
  refuseInProduction,
  startIdentityProvider,
  type IdentityProviderOptions,
  type RunningIdentityProvider,
} from "./server.js";
export { portalClientSecret } from "./secrets.js";
export * from "./constants.js";
