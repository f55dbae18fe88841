import type { Command } from 'commander';
import { z } from 'zod';
import { configSchema, sourceSchema } from '../../config/schema.js';
import { integrations } from '../../integrations/registry.js';

/** JSON Schema of hel.yaml, generated from the same zod definition that validates it. */
export function configJsonSchema(): unknown {
  const entry = z.union([...integrations().map((i) => i.schema), sourceSchema]);
  const documented = configSchema.extend({ sources: z.record(z.string(), entry) });
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
