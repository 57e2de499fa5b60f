import type { Logger } from './logger.ts';

/**
 * A typed event bus whose listeners cannot crash the emitter (architecture.md: ingest and
 * analytics meet here and never import each other). A listener that throws or rejects is
 * logged and the other listeners still run.
 */
export type Listener<T> = (payload: T) => void | Promise<void>;

export class TypedBus<Events extends { [K in keyof Events]: unknown }> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  constructor(private readonly log: Logger) {}

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        const result = (listener as Listener<Events[K]>)(payload);
        if (result && typeof (result as Promise<void>).catch === 'function') {
          (result as Promise<void>).catch((err: unknown) => this.report(event, err));
        }
      } catch (err) {
        this.report(event, err);
      }
    }
  }

  listenerCount<K extends keyof Events>(event: K): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  private report(event: keyof Events, err: unknown): void {
    this.log.error({ event: String(event), err }, 'bus listener failed');
  }
}
