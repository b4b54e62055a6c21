import type { HostRule } from "./model.js";

/** A reusable bundle of hosts and paths. Presets only add to lists; they never change scalars. */
export interface PolicyPreset {
  description: string;
  filesystem: { readOnly: string[]; readWrite: string[]; exec: string[] };
  network: { allow: HostRule[] };
}

const https = (host: string): HostRule => ({ host, ports: [443] });

export type PresetName = "node" | "python" | "git" | "go" | "rust";

export const presets: Readonly<Record<PresetName, PolicyPreset>> = {
  node: {
    description: "npm, pnpm and yarn registries and caches",
    filesystem: {
      // ~/.npm and yarn's cache are shared with builds outside: read-only (cordon points npm and yarn
      // at a cache in the run's private TMPDIR), so a command cannot poison them.
      readOnly: ["~/.npmrc", "~/.yarnrc", "~/.yarnrc.yml", "~/.npm", "~/.cache/yarn"],
      readWrite: ["~/.cache/node-gyp", "~/.local/share/pnpm", "~/.cache/pnpm", "~/.yarn"],
      exec: [],
    },
    network: { allow: [https("registry.npmjs.org"), https("registry.yarnpkg.com"), https("nodejs.org")] },
  },
  python: {
    description: "PyPI, the pip/uv caches, and /dev/shm (multiprocessing's semaphores)",
    filesystem: {
      // pip's cache is read-only (cordon points PIP_CACHE_DIR into the run's private TMPDIR).
      readOnly: ["~/.config/pip", "~/.pip", "~/.cache/pip"],
      // multiprocessing's SemLock lives in /dev/shm; note it is shared with the host and outlives the run.
      readWrite: ["~/.cache/uv", "/dev/shm"],
      exec: [],
    },
    network: { allow: [https("pypi.org"), https("files.pythonhosted.org")] },
  },
  git: {
    description: "git over HTTPS to GitHub, and the user's git configuration (read-only)",
    filesystem: {
      readOnly: ["~/.gitconfig", "~/.config/git"],
      readWrite: [],
      exec: [],
    },
    network: {
      allow: [
        https("github.com"),
        https("api.github.com"),
        https("codeload.github.com"),
        https("*.githubusercontent.com"),
      ],
    },
  },
  go: {
    description: "the Go module proxy and checksum database, and the module cache",
    filesystem: { readOnly: [], readWrite: ["~/go/pkg/mod", "~/.cache/go-build"], exec: [] },
    network: { allow: [https("proxy.golang.org"), https("sum.golang.org"), https("storage.googleapis.com")] },
  },
  rust: {
    description: "crates.io and the cargo registry cache",
    filesystem: { readOnly: ["~/.cargo/config.toml"], readWrite: ["~/.cargo/registry", "~/.cargo/git"], exec: ["~/.cargo/bin", "~/.rustup"] },
    network: { allow: [https("crates.io"), https("index.crates.io"), https("static.crates.io")] },
  },
};

export const PRESET_NAMES = Object.keys(presets) as PresetName[];

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(presets, name);
}

export function unknownPresetMessage(name: string): string {
  return `unknown preset ${JSON.stringify(name)}; valid presets: ${PRESET_NAMES.join(", ")}`;
}
