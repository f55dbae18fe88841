import type { Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { createLogger, resolveLogLevel, type Logger } from '../log/logger.js';
import { configPath } from './config-path.js';

export interface CommonFlags {
  config?: string;
  verbose?: boolean;
  quiet?: boolean;
}

export function addCommonOptions(command: Command): Command {
  return command.option('-c, --config <path>', 'config file (default: $HEL_CONFIG or hel.yaml)').option('-v, --verbose', 'debug logging').option('-q, --quiet', 'errors only');
}

/** Loads the config and makes the logger the command will use. */
export function loadForCommand(flags: CommonFlags, options: { requireSecrets?: boolean } = {}): { config: LoadedConfig; logger: Logger } {
  const config = loadConfig(configPath(flags.config), { requireSecrets: options.requireSecrets ?? true });
  const logger = createLogger({
    level: resolveLogLevel(config.global.log_level, flags),
    format: config.global.log_format,
    service: config.global.source_label_value,
  });
  for (const warning of config.warnings) logger.warn(warning);
  return { config, logger };
}
