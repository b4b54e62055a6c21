// The scopes layer: abstract UNIX sockets and signals kept inside the sandbox (Landlock ABI 6).
import { SCOPES, type AbiCapabilities } from "../abi.js";
import type { Feature } from "../compat.js";
import type { ResolvedPolicy } from "../model.js";
import type { ReportItem } from "../report.js";
import type { LandlockView } from "./landlock-view.js";

export function scopeFeatures(policy: ResolvedPolicy, netns: boolean): Feature[] {
  const features: Feature[] = [];
  // Abstract UNIX sockets belong to a network namespace: in one, those outside are unreachable anyway.
  if (policy.scopes.abstractUnix && !netns) features.push({ id: "scope.abstract-unix", name: "scopes.abstractUnix: abstract UNIX socket isolation", abi: 6 });
  if (policy.scopes.signals) features.push({ id: "scope.signals", name: "scopes.signals: signal isolation", abi: 6 });
  return features;
}

export function planScopes(policy: ResolvedPolicy, caps: AbiCapabilities): number {
  return ((policy.scopes.abstractUnix ? SCOPES.ABSTRACT_UNIX_SOCKET : 0) | (policy.scopes.signals ? SCOPES.SIGNAL : 0)) & caps.scoped;
}

export function scopeItems(policy: ResolvedPolicy, view: LandlockView, netns: boolean): ReportItem[] {
  const { kernelItem, has } = view;
  const items: ReportItem[] = [];
  if (policy.scopes.abstractUnix && netns && !has("scoped", SCOPES.ABSTRACT_UNIX_SOCKET)) {
    items.push({ id: "scope.abstract-unix", protection: "abstract UNIX sockets", requested: "no connect to abstract sockets outside the sandbox", enforcedBy: "kernel", mechanism: "network namespace", level: "full", why: "abstract sockets belong to a network namespace: those outside it are unreachable", kind: "requested" });
  } else if (policy.scopes.abstractUnix) {
    items.push(kernelItem("scope.abstract-unix", "abstract UNIX sockets", "no connect to abstract sockets outside the sandbox", has("scoped", SCOPES.ABSTRACT_UNIX_SOCKET), "scope", 6));
  }
  if (policy.scopes.signals) {
    items.push(kernelItem("scope.signals", "signals", "no signals to processes outside the sandbox", has("scoped", SCOPES.SIGNAL), "scope", 6));
  }
  return items;
}
