/** A command line that does not parse: exit 2 with a pointer to --help. */
export class UsageError extends Error {
  override name = "UsageError";
}
