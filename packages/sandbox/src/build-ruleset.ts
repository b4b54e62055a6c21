import { createRuleset, type Ruleset } from "@cordon/landlock-native";
import type { EnforcementPlan } from "@cordon/policy";

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
    for (const rule of ll.paths) ruleset.addPath(rule.path, rule.access, rule.source);
    for (const rule of ll.ports) ruleset.addPort(rule.port, rule.access);
    return ruleset;
  } catch (e) {
    ruleset.close();
    throw e;
  }
}
