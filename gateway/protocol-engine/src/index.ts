export * from "./engine.js";
export * from "./config.js";
export * from "./errors.js";
