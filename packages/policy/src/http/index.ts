export { compileHttpRules, parseHttpRule, pathForms, type CompiledHttpRule, type HttpDecision, type HttpRuleMatcher } from "./rules.js";
export { checkCredential, describeCredential, placeholderVariable, ENV_NAME } from "./credentials.js";
