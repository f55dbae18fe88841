/**
 * A typed, synchronous, per-instance event bus. The event map (`M`) names every event and its
 * payload, so an emitter can only send an event its map declares, with the right payload, and a
 * subscriber receives exactly that payload type. Each runtime makes its own bus: two runtimes in
 * one process never see each other's events (see docs/architecture.md, "One event bus").
 */

/** What a layer that reports events needs: it emits, it never subscribes. */
export interface Emitter<M> {
  emit<K extends keyof M>(event: K, payload: M[K]): void;
}

export type Listener<P> = (payload: P) => void;

/** A listener threw: the event, and what it threw. */
export type ListenerErrorHandler = (error: unknown, event: string) => void;

export interface Bus<M> extends Emitter<M> {
  /** Subscribes to one event; returns the function that unsubscribes. */
  on<K extends keyof M>(event: K, listener: Listener<M[K]>): () => void;
}

/**
 * Listeners run synchronously, in the order they subscribed, at the emit call: a counter or a
 * log line is up to date when the emitter goes on, and ordering between events is the order they
 * happened. A listener that throws does not reach the emitter (an observer must never fail a poll
 * or a delivery) nor stop the other listeners: the error goes to `onListenerError`.
 */
export class EventBus<M> implements Bus<M> {
  private readonly listeners = new Map<keyof M, Listener<never>[]>();

  constructor(private readonly onListenerError: ListenerErrorHandler = warnListenerError) {}

  on<K extends keyof M>(event: K, listener: Listener<M[K]>): () => void {
    // Copy on write: a listener that subscribes or unsubscribes during an emit changes the next emit, not this one.
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return () => {
      const rest = (this.listeners.get(event) ?? []).filter((l) => l !== listener);
      if (rest.length > 0) this.listeners.set(event, rest);
      else this.listeners.delete(event);
    };
  }

  emit<K extends keyof M>(event: K, payload: M[K]): void {
    const listeners = this.listeners.get(event) as Listener<M[K]>[] | undefined;
    if (listeners === undefined) return;
    for (const listener of listeners) {
      try {
        listener(payload);
      } catch (err) {
        this.onListenerError(err, String(event));
      }
    }
  }
}

/** Without a handler of its own a bus reports a failing listener as a process warning, on stderr: never silently. */
function warnListenerError(error: unknown, event: string): void {
  process.emitWarning(`a listener of ${event} threw: ${error instanceof Error ? error.message : String(error)}`, { code: 'HEL_EVENT_LISTENER' });
}
