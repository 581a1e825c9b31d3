export * from "./identity.js";
export * from "./policy.js";
export * from "./enforce.js";
export * from "./assertion.js";
export * from "./keys.js";
export * from "./dev-idp.js";
export * from "./policy-doc.js";
