import { lstatSync } from "node:fs";
import { createRuleset, type Ruleset } from "@cordon/landlock-native";
import { FS_FILE_RIGHTS, type EnforcementPlan, type PlannedPath } from "@cordon/policy";

/**
 * Turns the negotiated plan into a Landlock ruleset fd (create + add_rule),
 * in this process, unrestricted. The launcher restricts itself with it.
 * Returns null when the plan has no Landlock layer.
 */
export function buildRuleset(plan: EnforcementPlan): Ruleset | null {
  const ll = plan.landlock;
  if (!ll) return null;
  const ruleset = createRuleset({ fs: ll.handledFs, net: ll.handledNet, scoped: ll.scoped });
  try {
    for (const rule of ll.paths) {
      if (rule.entry) addEntry(ruleset, rule);
      else ruleset.addPath(rule.path, rule.access, rule.source);
    }
    for (const rule of ll.ports) ruleset.addPort(rule.port, rule.access);
    return ruleset;
  } catch (e) {
    ruleset.close();
    throw e;
  }
}

/**
 * An entry of a directory granted entry by entry around a secret, as listed when the sandbox was
 * created. Skipped if it is gone or has become a symlink since (the rule would follow it and grant
 * its target, perhaps a secret); a directory that became a file keeps only file rights.
 */
function addEntry(ruleset: Ruleset, rule: PlannedPath): void {
  let st;
  try {
    st = lstatSync(rule.path);
  } catch {
    return;
  }
  const access = st.isDirectory() ? rule.access : rule.access & FS_FILE_RIGHTS;
  if (st.isSymbolicLink() || access === 0) return;
  try {
    ruleset.addPath(rule.path, access, rule.source);
  } catch (e) {
    if ((e as { code?: string }).code !== "ENOENT") throw e;
  }
}
