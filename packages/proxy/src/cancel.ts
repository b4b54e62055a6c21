// A one-shot "the client went away" flag. Lighter than AbortController, which
// costs measurably per tunnel (EventTarget machinery) on the hot path.
export class Cancellation {
  cancelled = false;
  private listener: (() => void) | undefined;

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    const listener = this.listener;
    this.listener = undefined;
    listener?.();
  }

  /** At most one listener at a time; returns a function that removes it. */
  onCancel(listener: () => void): () => void {
    this.listener = listener;
    return () => {
      if (this.listener === listener) this.listener = undefined;
    };
  }
}
