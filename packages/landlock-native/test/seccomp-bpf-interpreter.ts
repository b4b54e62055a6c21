// A tiny classic-BPF interpreter for tests only: runs a compiled seccomp
// program against a synthetic struct seccomp_data, so the arch and x32 paths
// (which this machine cannot all exercise for real) are checked at the BPF level.
import { BPF, SECCOMP_RET, SOCK_FILTER_SIZE } from "../src/index.js";

export interface SeccompData {
  nr: number;
  arch: number;
  /** Up to six arguments (low 32 bits are what the filters read; high bits stored too). */
  args?: Array<number | bigint>;
}

function dataBuffer(d: SeccompData): Buffer {
  const b = Buffer.alloc(64);
  b.writeUInt32LE(d.nr >>> 0, 0);
  b.writeUInt32LE(d.arch >>> 0, 4);
  (d.args ?? []).forEach((v, i) => b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)), 16 + 8 * i));
  return b;
}

/** Runs `program` and returns the seccomp action value (e.g. SECCOMP_RET.ALLOW). */
export function runFilter(program: Buffer, d: SeccompData): number {
  const data = dataBuffer(d);
  const n = program.length / SOCK_FILTER_SIZE;
  let a = 0;
  for (let pc = 0; pc < n; pc++) {
    const o = pc * SOCK_FILTER_SIZE;
    const code = program.readUInt16LE(o);
    const jt = program.readUInt8(o + 2);
    const jf = program.readUInt8(o + 3);
    const k = program.readUInt32LE(o + 4);
    const branch = (cond: boolean) => {
      pc += cond ? jt : jf;
      if (pc + 1 >= n) throw new Error(`jump past the end at ${pc}`);
    };
    switch (code) {
      case BPF.LD_W_ABS:
        if (k % 4 !== 0 || k + 4 > data.length) throw new Error(`bad load offset ${k}`);
        a = data.readUInt32LE(k);
        break;
      case BPF.ALU_AND_K:
        a = (a & k) >>> 0;
        break;
      case BPF.JEQ_K:
        branch(a === k);
        break;
      case BPF.JGE_K:
        branch(a >= k);
        break;
      case BPF.JSET_K:
        branch((a & k) !== 0);
        break;
      case BPF.RET_K:
        return k;
      default:
        throw new Error(`unknown opcode 0x${code.toString(16)} at ${pc}`);
    }
  }
  throw new Error("fell off the end of the program");
}

/** Readable names for assertions. */
export function action(ret: number): string {
  if (ret === SECCOMP_RET.ALLOW) return "ALLOW";
  if (ret === SECCOMP_RET.KILL_PROCESS) return "KILL_PROCESS";
  if ((ret & 0xffff0000) >>> 0 === SECCOMP_RET.ERRNO) return `ERRNO(${ret & 0xffff})`;
  return `0x${ret.toString(16)}`;
}
