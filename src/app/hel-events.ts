import type { FleetEventMap } from '../engine/fleet.js';
import type { RuntimeEventMap } from '../engine/runtime.js';
import type { TransportEventMap } from '../http/transport.js';
import type { OutputEventMap } from '../sink/output-events.js';
import type { Bus } from '../bus/event-bus.js';

/**
 * Every event a collector reports: each layer declares its own (the request path, the polls and
 * sources, the fleet, the state store, the output) next to the code that emits them, and this is
 * their union — the one catalogue that metrics, logs and progress subscribe to. The table in
 * docs/architecture.md lists them.
 */
export type HelEventMap = TransportEventMap & RuntimeEventMap & FleetEventMap & OutputEventMap;

export type HelBus = Bus<HelEventMap>;
