// The one place the proxy gets its host matcher from. Switch to
// `export { compileHostRules } from "@cordon/policy"` once policy exports it.
export { compileHostRules } from "./host-rules-fallback.js";
