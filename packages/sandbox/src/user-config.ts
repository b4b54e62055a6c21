import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { parseUserConfig, withTrust, type UserConfig } from "@cordon/policy";
import { PolicyLoadError } from "./load-policy.js";

export interface ConfigPlace {
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/** `$XDG_CONFIG_HOME/cordon`, else `~/.config/cordon`. */
export function userConfigDir(place: ConfigPlace = {}): string {
  const xdg = (place.env ?? process.env)["XDG_CONFIG_HOME"];
  return join(xdg && isAbsolute(xdg) ? xdg : join(place.home ?? homedir(), ".config"), "cordon");
}

export function userConfigPath(place: ConfigPlace = {}): string {
  return join(userConfigDir(place), "config.yaml");
}

/** The user's configuration, or undefined when the file does not exist. */
export function readUserConfig(file: string): UserConfig | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new PolicyLoadError([`${file}: cannot read your cordon configuration (${(e as NodeJS.ErrnoException).code ?? String(e)})`]);
  }
  const r = parseUserConfig(text, file);
  if (!r.ok) throw new PolicyLoadError(r.errors);
  return r.config;
}

/** A file's identity for trust: its real path and the sha256 of the bytes read. */
export function fileIdentity(file: string, bytes: Buffer): { file: string; sha256: string } {
  return { file: realpathSync(file), sha256: createHash("sha256").update(bytes).digest("hex") };
}

/** Records `file`'s current content as trusted in the user's configuration (as direnv's `allow`). */
export function trustPolicyFile(file: string, place: ConfigPlace = {}): { config: string; file: string; sha256: string } {
  const identity = fileIdentity(file, readFileSync(file));
  const config = userConfigPath(place);
  let text = "";
  try {
    text = readFileSync(config, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const next = withTrust(text, identity);
  try {
    mkdirSync(dirname(config), { recursive: true, mode: 0o700 });
    // Write beside it and rename: a crash never leaves half a configuration.
    const tmp = `${config}.${process.pid}.tmp`;
    writeFileSync(tmp, next, { mode: 0o600 });
    renameSync(tmp, config);
  } catch (e) {
    throw new PolicyLoadError([`${config}: cannot write your cordon configuration (${(e as NodeJS.ErrnoException).code ?? String(e)}); XDG_CONFIG_HOME chooses where it lives`]);
  }
  return { config, ...identity };
}
