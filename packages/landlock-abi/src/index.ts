/**
 * Kernel facts as data, written down once for both the native layer and the
 * negotiator, which depend on this package and on nothing of each other:
 * Landlock's UAPI and ABI history, the seccomp spec shape, and the Linux
 * constants the seccomp rules name. Pure TypeScript, no I/O.
 */
export * from "./landlock.js";
export * from "./seccomp.js";
export * from "./linux.js";
