import type { Command } from 'commander';
import { z } from 'zod';
import { configSchema, rawSourceEntrySchema } from '../../config/schema.js';

/** JSON Schema of hel.yaml, generated from the same zod definition that validates it. */
export function configJsonSchema(): unknown {
  const documented = configSchema.extend({ sources: z.record(z.string(), rawSourceEntrySchema) });
  return { ...z.toJSONSchema(documented, { io: 'input', unrepresentable: 'any' }), title: 'hel.yaml' };
}

export function registerSchemaCommand(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of hel.yaml (for editor completion)')
    .action(() => {
      process.stdout.write(JSON.stringify(configJsonSchema(), null, 2) + '\n');
    });
}
