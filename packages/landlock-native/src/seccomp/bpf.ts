// A minimal classic-BPF assembler: instructions with symbolic jump targets,
// resolved to the 8-bit forward offsets the kernel requires, serialised as the
// kernel's struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; } array.

export const BPF = {
  LD_W_ABS: 0x20, // BPF_LD | BPF_W | BPF_ABS
  ALU_AND_K: 0x54, // BPF_ALU | BPF_AND | BPF_K
  JEQ_K: 0x15, // BPF_JMP | BPF_JEQ | BPF_K
  JGE_K: 0x35, // BPF_JMP | BPF_JGE | BPF_K
  JSET_K: 0x45, // BPF_JMP | BPF_JSET | BPF_K
  RET_K: 0x06, // BPF_RET | BPF_K
} as const;

export const SECCOMP_RET = {
  KILL_PROCESS: 0x80000000,
  ERRNO: 0x00050000,
  ALLOW: 0x7fff0000,
} as const;

/** Offsets into struct seccomp_data. Arguments are u64; both supported arches are little-endian. */
export const SECCOMP_DATA = {
  nr: 0,
  arch: 4,
  /** The low 32 bits of argument i. */
  argLow: (i: number) => 16 + 8 * i,
} as const;

/** The largest program the kernel accepts (BPF_MAXINSNS). */
export const BPF_MAXINSNS = 4096;
/** sizeof(struct sock_filter). */
export const SOCK_FILTER_SIZE = 8;

/** A jump target: a label name, or "next" (fall through). */
export type Target = string;

type Item =
  | { kind: "insn"; code: number; k: number; jt?: Target; jf?: Target }
  | { kind: "label"; name: string };

export class Assembler {
  private readonly items: Item[] = [];

  stmt(code: number, k: number): this {
    this.items.push({ kind: "insn", code, k: k >>> 0 });
    return this;
  }

  jump(code: number, k: number, jt: Target, jf: Target): this {
    this.items.push({ kind: "insn", code, k: k >>> 0, jt, jf });
    return this;
  }

  label(name: string): this {
    this.items.push({ kind: "label", name });
    return this;
  }

  /** Resolves labels and returns the raw sock_filter array. */
  assemble(): Buffer {
    const at = new Map<string, number>();
    let n = 0;
    for (const item of this.items) {
      if (item.kind === "label") {
        if (at.has(item.name)) throw new Error(`bpf: duplicate label ${item.name}`);
        at.set(item.name, n);
      } else {
        n++;
      }
    }
    if (n === 0 || n > BPF_MAXINSNS) throw new RangeError(`bpf: program has ${n} instructions (1..${BPF_MAXINSNS})`);
    const out = Buffer.alloc(n * SOCK_FILTER_SIZE);
    let pc = 0;
    for (const item of this.items) {
      if (item.kind === "label") continue;
      const offset = (target: Target | undefined): number => {
        if (target === undefined || target === "next") return 0;
        const dest = at.get(target);
        if (dest === undefined) throw new Error(`bpf: unknown label ${target}`);
        const off = dest - pc - 1;
        // Classic BPF only jumps forward, at most 255 instructions.
        if (off < 0 || off > 255) throw new RangeError(`bpf: jump from ${pc} to ${target} (${dest}) out of range`);
        return off;
      };
      const o = pc * SOCK_FILTER_SIZE;
      out.writeUInt16LE(item.code, o);
      out.writeUInt8(offset(item.jt), o + 2);
      out.writeUInt8(offset(item.jf), o + 3);
      out.writeUInt32LE(item.k, o + 4);
      pc++;
    }
    return out;
  }
}
