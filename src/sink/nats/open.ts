import { HelError } from '../../errors.js';
import type { SinkConfig, SinkTarget } from '../open-sink.js';
import { natsOutputSchema } from '../../config/nats-schema.js';
import { NatsSink } from './nats-sink.js';

/** The `nats:` line of the sink registry: `--output nats://host:port[/subject]` with `global.output.nats`. */
export function openNatsSink(target: SinkTarget): NatsSink {
  const { config } = target;
  return new NatsSink({
    url: target.url!,
    config: config.global.output.nats ?? natsOutputSchema.parse({}),
    secrets: config.secrets,
    logger: target.logger,
    events: target.events,
  });
}

/** `global.output.nats` configures only a nats:// output; with any other it would be silently ignored. */
export function refuseUnusedNatsConfig(config: SinkConfig, output: string | undefined): void {
  if (config.global.output.nats === undefined || (output !== undefined && /^nats:\/\//i.test(output))) return;
  throw new HelError('HEL_USAGE', `global.output.nats is set in ${config.path}, but the output is ${output ?? 'stdout'}, not nats://…`, {
    hint: 'pass --output nats://host:port, or remove global.output.nats',
  });
}
