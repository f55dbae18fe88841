import { EventBus } from '../bus/event-bus.js';
import { describeError, errorLogFields } from '../errors/format.js';
import type { HelBus, HelEventMap } from './hel-events.js';
import { logEvents } from './event-log.js';
import type { Logger } from '../log/logger.js';

/**
 * A runtime's own event bus, its log lines attached. A listener that throws (a metrics or progress
 * bug) never reaches the poll or the delivery that emitted the event: it is logged, once per event
 * name, so a subscriber failing on every page cannot flood the log.
 */
export function openEventBus(logger: Logger): HelBus {
  const reported = new Set<string>();
  const bus = new EventBus<HelEventMap>((error, event) => {
    if (reported.has(event)) return;
    reported.add(event);
    logger.error(
      { event, ...errorLogFields(error) },
      `a subscriber of ${event} failed: ${describeError(error)}; the other subscribers still got the event, and further failures of ${event} subscribers are not logged`,
    );
  });
  logEvents(bus, logger);
  return bus;
}
