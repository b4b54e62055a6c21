// Which inherited environment variables hold secrets: not passed to the command unless named.
// The name is all there is to go on, so the rules are deliberately broad; `--env NAME` (the
// `passEnv` option) passes one anyway.

/** Exact names that are secrets but match no rule below. */
const EXACT = new Set(["GH_TOKEN", "GITHUB_TOKEN", "NPM_TOKEN", "NODE_AUTH_TOKEN", "DATABASE_URL", "SENTRY_DSN", "TWINE_PASSWORD"]);
/** Whole-name prefixes, and the names under them that only configure (regions, file paths). */
const PREFIXES = ["AWS_"];
const NOT_SECRET = new Set(["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_CA_BUNDLE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_DEFAULT_OUTPUT", "AWS_PAGER", "AWS_SDK_LOAD_CONFIG"]);
/** A name ending in one of these words is a secret (`_API_KEY`, `MY_TOKEN`, `DB_PASSWORD`). */
const LAST_WORDS = new Set(["TOKEN", "SECRET", "PASSWORD", "PASSWD", "PASSPHRASE", "APIKEY", "CREDENTIALS", "CREDENTIAL", "AUTHTOKEN"]);
const LAST_PAIRS = new Set(["API_KEY", "ACCESS_KEY", "PRIVATE_KEY", "SECRET_KEY", "SIGNING_KEY", "ENCRYPTION_KEY", "CLIENT_KEY", "AUTH_TOKEN"]);

export function isSecretEnvName(name: string): boolean {
  const upper = name.toUpperCase();
  if (NOT_SECRET.has(upper)) return false;
  if (EXACT.has(upper) || PREFIXES.some((p) => upper.startsWith(p))) return true;
  // npm's credentials as configuration: npm_config__auth, npm_config_//host/:_authToken.
  if (/^NPM_CONFIG_.*AUTH/.test(upper)) return true;
  const words = upper.split(/[^A-Z0-9]+/).filter(Boolean);
  if (words.includes("SECRET")) return true;
  const last = words.at(-1) ?? "";
  return LAST_WORDS.has(last) || LAST_PAIRS.has(words.slice(-2).join("_"));
}

/** The base environment without its secrets (except those in pass), and the names left out. */
export function withoutSecrets(env: NodeJS.ProcessEnv, pass: readonly string[] = []): { env: NodeJS.ProcessEnv; withheld: string[] } {
  const out: NodeJS.ProcessEnv = {};
  const withheld: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (isSecretEnvName(name) && !pass.includes(name) && !pass.includes("*")) withheld.push(name);
    else out[name] = value;
  }
  return { env: out, withheld: withheld.sort() };
}
