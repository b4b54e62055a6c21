import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/**
 * A dependency loaded on first use. zod and yaml cost about 75 ms to import,
 * and `cordon run` with the built-in policy needs neither: startup time is
 * part of the product (every sandboxed command pays it).
 */
export function lazyRequire<M, T = M>(id: string, pick: (m: M) => T = (m) => m as unknown as T): () => T {
  let value: T | undefined;
  return () => (value ??= pick(require(id) as M));
}
