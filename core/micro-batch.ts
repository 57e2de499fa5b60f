/**
 * Collects items emitted one at a time (bus events) and hands them to `handle` in one call
 * per turn of the event loop: a batch pass that raises 100 000 alerts costs a handful of
 * calls, not 100 000. Calls never overlap; items arriving during a call wait for the next.
 */
export function microBatch<T>(handle: (items: T[]) => Promise<unknown>, onError: (err: unknown, items: T[]) => void): (item: T) => void {
  let pending: T[] = [];
  let running = false;
  let scheduled = false;
  const flush = async (): Promise<void> => {
    scheduled = false;
    if (running || pending.length === 0) return;
    running = true;
    const items = pending;
    pending = [];
    try {
      await handle(items);
    } catch (err) {
      onError(err, items);
    } finally {
      running = false;
      if (pending.length > 0) schedule();
    }
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void flush());
  };
  return (item: T) => {
    pending.push(item);
    schedule();
  };
}
