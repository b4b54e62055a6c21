import { lazyRequire } from "./lazy.js";

/** The yaml library, loaded when a policy text is first parsed. */
export const loadYaml = lazyRequire<typeof import("yaml")>("yaml");
