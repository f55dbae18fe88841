import type { SinkTarget } from '../open-sink.js';
import { NatsSink } from './nats-sink.js';

/** The `nats:` line of the sink registry: `--output nats://host:port[/subject]` with `global.output.nats`. */
export function openNatsSink(target: SinkTarget): NatsSink {
  return new NatsSink({ url: target.url!, config: target.config.global.output.nats, logger: target.logger });
}
