// `cordon kube` output validated against the Kubernetes API schemas (kubernetes-models, which
// compiles the upstream OpenAPI definitions into ajv validators), and the properties that make
// the fence: restricted pods, egress to the gateway's port only, no private egress from the gateway.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { Deployment } from "kubernetes-models/apps/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { ConfigMap, Pod, Secret, Service } from "kubernetes-models/v1";

const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
let dir: string;

type Obj = Record<string, any>;

function kube(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, "kube", ...args], { encoding: "utf8", cwd: dir });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, docs: parseAllDocuments(r.stdout).map((d) => d.toJS() as Obj) };
}

const VALIDATORS: Record<string, new (o: any) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "v1/ConfigMap": ConfigMap,
  "v1/Secret": Secret,
  "v1/Service": Service,
};

function validate(o: Obj): void {
  const Model = VALIDATORS[`${o.apiVersion}/${o.kind}`];
  if (!Model) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
  new Model(o).validate();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cordon-kube-test-"));
  writeFileSync(join(dir, "agent.yaml"), "version: 1\nextends: [node]\nnetwork:\n  allow:\n    - api.github.com\n    - host: db.corp.example\n      ports: [5432]\n      allowedIps: [10.20.0.0/16]\n");
  writeFileSync(join(dir, "ci.yaml"), "version: 1\nnetwork:\n  allow: ['registry.npmjs.org:443']\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("cordon kube", () => {
  it("writes objects that validate against the Kubernetes API schemas", () => {
    const r = kube(["--workload", "agent=agent.yaml", "--workload", "ci.yaml", "--namespace", "agents", "--", "node", "agent.js"]);
    expect(r.status).toBe(0);
    const kinds = r.docs.map((d) => `${d.kind}/${d.metadata.name}`);
    expect(kinds).toEqual([
      "Secret/cordon-agent-credentials",
      "Secret/cordon-ci-credentials",
      "ConfigMap/cordon-policies",
      "Service/cordon-gateway",
      "NetworkPolicy/cordon-gateway",
      "Deployment/cordon-gateway",
      "NetworkPolicy/cordon-agent-egress",
      "NetworkPolicy/cordon-ci-egress",
      "Deployment/agent",
      "Deployment/ci",
    ]);
    for (const d of r.docs) {
      expect(() => validate(d), `${d.kind}/${d.metadata.name}`).not.toThrow();
      expect(d.metadata.namespace).toBe("agents");
    }
  });

  it("the schema check is real: a wrong field type is rejected", () => {
    const r = kube(["--workload", "agent=agent.yaml", "--", "true"]);
    const gateway = r.docs.find((d) => d.kind === "Deployment" && d.metadata.name === "cordon-gateway")!;
    gateway.spec.replicas = "two";
    expect(() => validate(gateway)).toThrow(/replicas/);
  });

  it("every pod meets the restricted Pod Security Standard (and OpenShift restricted-v2: no fixed UID)", () => {
    const r = kube(["--workload", "agent=agent.yaml", "--", "node", "agent.js"]);
    for (const d of r.docs.filter((x) => x.kind === "Deployment")) {
      const pod = d.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      expect(pod.securityContext.runAsUser).toBeUndefined();
      expect(pod.hostNetwork ?? false).toBe(false);
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true });
        expect(c.securityContext.capabilities.add).toBeUndefined();
        expect(c.securityContext.privileged ?? false).toBe(false);
      }
      for (const v of pod.volumes) expect(v.hostPath).toBeUndefined();
    }
  });

  it("a workload may egress to the gateway's port only (no DNS); the gateway never to private ranges or the metadata endpoint", () => {
    const r = kube(["--workload", "agent=agent.yaml", "--", "node", "agent.js"]);
    const workload = r.docs.find((d) => d.kind === "NetworkPolicy" && d.metadata.name === "cordon-agent-egress")!;
    expect(workload.spec.policyTypes).toEqual(["Egress"]);
    expect(workload.spec.egress).toEqual([
      { to: [{ podSelector: { matchLabels: r.docs.find((d) => d.kind === "Service")!.spec.selector } }], ports: [{ protocol: "TCP", port: 3130 }] },
    ]);
    const gateway = r.docs.find((d) => d.kind === "NetworkPolicy" && d.metadata.name === "cordon-gateway")!;
    const blocks = gateway.spec.egress.flatMap((e: Obj) => (e.to ?? []).map((t: Obj) => t.ipBlock).filter(Boolean));
    const internet = blocks.find((b: Obj) => b.cidr === "0.0.0.0/0");
    for (const c of ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10", "127.0.0.0/8"]) expect(internet.except).toContain(c);
    expect(blocks.find((b: Obj) => b.cidr === "::/0").except).toEqual(expect.arrayContaining(["fc00::/7", "fe80::/10"]));
    // The internet rule's ports are the policy's (node preset + api.github.com: 443 and 80; db: 5432).
    const internetRule = gateway.spec.egress.find((e: Obj) => e.to.some((t: Obj) => t.ipBlock?.cidr === "0.0.0.0/0"));
    expect(internetRule.ports.map((p: Obj) => p.port)).toEqual([80, 443, 5432]);
    // A private range only because the policy allows it by name (allowedIps), on that rule's port.
    expect(gateway.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: "10.20.0.0/16" } }], ports: [{ protocol: "TCP", port: 5432 }] });
  });

  it("the workload runs its command under cordon, chained to the gateway by the Service's environment variables", () => {
    const r = kube(["--workload", "agent=agent.yaml", "--gateway-name", "egress", "--", "node", "agent.js"]);
    const c = r.docs.find((d) => d.kind === "Deployment" && d.metadata.name === "agent")!.spec.template.spec.containers[0];
    expect(c.command.slice(0, 2)).toEqual(["cordon", "run"]);
    expect(c.command.slice(-3)).toEqual(["--", "node", "agent.js"]);
    expect(c.command[c.command.indexOf("--proxy-port") + 1]).toBe("3128");
    expect(c.env).toContainEqual({ name: "CORDON_UPSTREAM_PROXY", value: "http://$(EGRESS_SERVICE_HOST):$(EGRESS_SERVICE_PORT_PROXY)" });
    expect(c.env).toContainEqual({ name: "CORDON_NETWORK_FENCE", value: "networkpolicy" });
    // The token never on argv nor in the environment: a mounted file the command cannot read.
    const secret = r.docs.find((d) => d.kind === "Secret")!;
    const token = secret.stringData["proxy-auth"];
    expect(token).toMatch(/^agent:[0-9a-f]{64}$/);
    expect(JSON.stringify(c)).not.toContain(token.split(":")[1]);
    expect(c.command).toContain("--upstream-proxy-auth-file");
  });

  it("each run draws fresh tokens; --no-credentials leaves the Secrets out", () => {
    const a = kube(["--workload", "agent=agent.yaml"]).docs.find((d) => d.kind === "Secret")!;
    const b = kube(["--workload", "agent=agent.yaml"]).docs.find((d) => d.kind === "Secret")!;
    expect(a.stringData["proxy-auth"]).not.toBe(b.stringData["proxy-auth"]);
    const none = kube(["--workload", "agent=agent.yaml", "--no-credentials"]);
    expect(none.docs.some((d) => d.kind === "Secret")).toBe(false);
    expect(none.stderr).toMatch(/kubectl create secret generic cordon-agent-credentials/);
  });

  it("--patch prints a strategic-merge patch whose pod spec validates once merged into a Deployment", () => {
    const r = kube(["--workload", "agent=agent.yaml", "--patch", "agent/main", "--", "node", "agent.js"]);
    expect(r.status).toBe(0);
    expect(r.docs).toHaveLength(1);
    const patch = r.docs[0]!;
    expect(patch).toMatchObject({ kind: "Deployment", metadata: { name: "agent" } });
    const spec = patch.spec.template.spec;
    expect(spec.containers[0].name).toBe("main");
    expect(spec.containers[0].args).toBeNull();
    // What the merge yields for a plain Deployment with one container "main".
    const { args: _args, ...container } = spec.containers[0];
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "agent", labels: patch.spec.template.metadata.labels }, spec: { ...spec, containers: [{ ...container, image: "example/agent:1" }] } };
    expect(() => new Pod(pod).validate()).not.toThrow();
  });

  it("writes a kustomize base", () => {
    const base = join(dir, "base");
    const r = kube(["--workload", "agent=agent.yaml", "--namespace", "agents", "--kustomize", base, "--", "node", "agent.js"]);
    expect(r.status).toBe(0);
    const files = readdirSync(base).sort();
    expect(files).toContain("kustomization.yaml");
    expect(files).toContain(".gitignore");
    const k = parseAllDocuments(readFileSync(join(base, "kustomization.yaml"), "utf8"))[0]!.toJS() as Obj;
    expect(k).toMatchObject({ kind: "Kustomization", namespace: "agents" });
    expect([...k.resources].sort()).toEqual(files.filter((f) => f !== "kustomization.yaml" && f !== ".gitignore"));
    for (const f of k.resources) validate(parseAllDocuments(readFileSync(join(base, f), "utf8"))[0]!.toJS() as Obj);
    expect(kube(["--workload", "agent=agent.yaml", "--kustomize", base]).status).not.toBe(0);
  });

  it.each([
    [["--workload", "Agent=agent.yaml"], /not a valid workload name/],
    [["--workload", "agent=missing.yaml"], /cannot read missing.yaml: ENOENT/],
    [["--workload", "agent=agent.yaml", "--local-proxy-port", "3130"], /must differ from --gateway-port/],
    [["--workload", "agent=agent.yaml", "--patch", "agent"], /needs the container's command/],
    [[], /name at least one workload/],
  ])("refuses %j with a clear error", (args, message) => {
    const r = kube(args as string[]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("refuses a policy that lets the gateway reach the metadata endpoint", () => {
    writeFileSync(join(dir, "meta.yaml"), "version: 1\nnetwork:\n  allow:\n    - host: metadata.internal\n      allowedIps: [169.254.169.254]\n");
    const r = kube(["--workload", "meta=meta.yaml"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/link-local \(cloud metadata\)/);
  });
});
