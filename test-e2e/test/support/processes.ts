/** Whether a process still exists (signal 0 delivers nothing). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A killed process may linger as a zombie until whoever inherited it reaps it: wait briefly. */
export async function waitGone(pid: number, ms = 2000): Promise<boolean> {
  for (let waited = 0; waited < ms && isAlive(pid); waited += 20) await new Promise((r) => setTimeout(r, 20));
  return !isAlive(pid);
}
