/**
 * The file `cordon policy init` writes: the built-in defaults, spelled out and commented. Single
 * values are left commented out: a value a file sets replaces yours (~/.config/cordon/config.yaml),
 * and a project's file that loosens yours is refused until trusted.
 */
export function starterPolicyYaml(): string {
  return `# cordon policy — reference: packages/policy/README.md
# 'cordon run' reads this file in this directory and below (up to the project root), after your own
# ~/.config/cordon/config.yaml. Until you run 'cordon policy trust', it may only tighten yours.
# Editor completion: 'cordon policy schema > cordon-policy.schema.json', then point your
# editor's YAML schema setting (e.g. yaml-language-server) at that file.
version: 1
# best-effort: run with what the kernel supports and say what is missing
# soft: drop the whole Landlock layer if it cannot be complete; hard: refuse to run
# compat: best-effort
# extends: [node]            # presets: node, python, git, go, rust
filesystem:
  # includeWorkdir: true     # the directory cordon runs in is writable
  readOnly: []               # e.g. [~/.config/mytool]
  readWrite: []              # e.g. [./build, ~/.cache/mytool]
  exec: []                   # read + execute, e.g. [/opt/tool]
  # protected: [secrets.json]  # kept read-only inside writable directories
  # The home directory is readable by default, never its credentials (~/.ssh, ~/.aws, ...):
  secrets: []                # more paths never readable, e.g. [~/.config/mytool/token]
  terminals: own             # own: only the terminal cordon runs in; all: every /dev/pts (tmux)
network:
  # mode: platform           # platform | proxy | none | unrestricted
  # proxyPort: 3128          # 0 = any free port
  allow: []                  # e.g. [registry.npmjs.org, "*.github.com:443"]
  # A host with http rules or credentials has its TLS inspected; the token never enters the sandbox:
  #   - host: api.github.com
  #     http: { allow: ["GET /repos/**"], deny: ["* /repos/*/*/actions/**"] }
  #     credentials: [{ env: GITHUB_TOKEN, header: Authorization, prefix: "Bearer " }]
  deny: []
  localhostPorts: []         # local dev servers reachable directly, e.g. [5173]
  bindPorts: []              # TCP ports the command may listen on (empty: not restricted)
# scopes:
#   abstractUnix: true       # no abstract unix sockets outside the sandbox
#   signals: true            # no signals to processes outside the sandbox
`;
}
