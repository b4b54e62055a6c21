// Resource limits of a run: how many processes, how much memory, how big the
// private TMPDIR may grow. Sizes are bytes, written as a number or with a
// binary unit ("512M", "2G").
import type { PolicyLimits } from "./model.js";

export const LIMIT_KEYS = ["processes", "memory", "tmpdirSize"] as const;

const UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "512M", "2G", "1048576" or a number → bytes; undefined when not a positive size. */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const m = /^\s*(\d+)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(value);
  if (!m) return undefined;
  const bytes = Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/** A positive whole number of processes; undefined otherwise. */
export function parseCount(value: unknown): number | undefined {
  const n = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return typeof n === "number" && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

export const SIZE_HINT = "a size in bytes, or with a unit: 512M, 2G";

/** Checks one limit; the reason when it is not valid. */
export function checkLimit(key: keyof PolicyLimits, value: unknown): { ok: true; value: number } | { ok: false; reason: string } {
  const v = key === "processes" ? parseCount(value) : parseSize(value);
  if (v !== undefined) return { ok: true, value: v };
  return { ok: false, reason: key === "processes" ? `expected a positive whole number, got ${JSON.stringify(value)}` : `expected ${SIZE_HINT}, got ${JSON.stringify(value)}` };
}

export function formatSize(bytes: number): string {
  for (const [unit, size] of [["T", 1024 ** 4], ["G", 1024 ** 3], ["M", 1024 ** 2], ["K", 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes} bytes`;
}
