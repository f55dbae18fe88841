/**
 * SIGINT/SIGTERM abort the returned signal: no new polls start, the request in flight is
 * abandoned (its page is not committed), and the command exits 0 once state is closed.
 * A second signal exits at once; the state on disk is consistent at every commit.
 */
export function shutdownSignal(onFirst?: (signal: string) => void): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    onFirst?.(name);
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
