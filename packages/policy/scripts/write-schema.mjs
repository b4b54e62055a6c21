#!/usr/bin/env node
// Regenerates cordon-policy.schema.json (the JSON Schema editors use) from the built package.
import { writeFileSync } from "node:fs";
import { policySchema } from "../dist/index.js";

writeFileSync(new URL("../cordon-policy.schema.json", import.meta.url), `${JSON.stringify(policySchema(), null, 2)}\n`);
