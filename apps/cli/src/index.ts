/**
 * The embeddable API moved to its own package, @cordon/sandbox (an embedder need not install
 * the command). Re-exported here so that existing `import ... from "@cordon/cli"` keeps working.
 */
export * from "@cordon/sandbox";
