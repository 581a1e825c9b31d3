export * from "./enforce.js";
