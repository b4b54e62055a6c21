// Output: one YAML stream for `kubectl apply -f -`, or a kustomize base directory.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Document } from "yaml";
import type { Manifest } from "./manifests.js";

function yamlOf(object: Record<string, unknown>, comment?: string): string {
  const doc = new Document(object, { aliasDuplicateObjects: false });
  if (comment) doc.commentBefore = comment;
  return doc.toString({ lineWidth: 0 });
}

const SECRET_NOTE = " Holds a freshly generated token: apply it, do not commit it.";

/** Resources as one stream; a patch (kubectl patch --patch-file) goes apart, since apply cannot take it. */
export function renderStream(manifests: Manifest[]): { resources: string; patches: string } {
  const docs = (ms: Manifest[]) => ms.map((m) => yamlOf(m.object, m.secret ? SECRET_NOTE : undefined)).join("---\n");
  return { resources: docs(manifests.filter((m) => !m.isPatch)), patches: docs(manifests.filter((m) => m.isPatch)) };
}

/** Writes a kustomize base; refuses a non-empty directory rather than mix with older files. */
export function writeKustomizeBase(dir: string, manifests: Manifest[], namespace: string | undefined): string[] {
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} is not empty: give a new or empty directory for the kustomize base`);
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const m of manifests) {
    writeFileSync(join(dir, m.file), yamlOf(m.object, m.secret ? SECRET_NOTE : undefined));
    written.push(m.file);
  }
  const kustomization = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    ...(namespace !== undefined && { namespace }),
    // A patch is for the user's own kustomization, the one holding the Deployment it patches.
    resources: manifests.filter((m) => !m.isPatch).map((m) => m.file),
  };
  writeFileSync(join(dir, "kustomization.yaml"), yamlOf(kustomization));
  written.push("kustomization.yaml");
  if (manifests.some((m) => m.secret)) {
    writeFileSync(join(dir, ".gitignore"), "# Generated tokens: create them in the cluster, keep them out of git.\nsecret-*.yaml\n");
    written.push(".gitignore");
  }
  return written;
}
