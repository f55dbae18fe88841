import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { HelError } from '../../errors.js';
import { loadConfig } from '../../config/load.js';
import { tokenExpiry } from '../../integrations/registry.js';
import { describeExpiry, expiryOf } from '../../secrets/expiry.js';
import { resolveKeyMaterial } from '../../secrets/master-key.js';
import { readSecretValue } from '../../secrets/read-value.js';
import { listSecrets, removeSecret, setSecret, checkSecretName, type SecretStoreOptions } from '../../secrets/store.js';

interface SecretsCliOptions {
  file?: string;
  keyFile?: string;
  config?: string;
}

const DEFAULT_SECRETS_PATH = './hel-secrets.enc';

/**
 * --file / --key-file win; otherwise global.secrets from the config, read only when one is named
 * (-c, HEL_CONFIG) or ./hel.yaml exists, so the store also works without any config.
 */
function storeOptionsFrom(opts: SecretsCliOptions, env: NodeJS.ProcessEnv = process.env): SecretStoreOptions {
  const configFile = opts.config ?? env.HEL_CONFIG ?? (existsSync('hel.yaml') ? 'hel.yaml' : undefined);
  const fromConfig = configFile === undefined ? undefined : loadConfig(configFile, { env, requireSecrets: false }).global.secrets;
  const keyFile = opts.keyFile ?? fromConfig?.key_file;
  return { path: opts.file ?? fromConfig?.path ?? DEFAULT_SECRETS_PATH, env, ...(keyFile !== undefined ? { keyFile } : {}) };
}

function withStoreOptions(command: Command): Command {
  return command
    .option('--file <path>', `encrypted secrets file (default: global.secrets.path or ${DEFAULT_SECRETS_PATH})`)
    .option('--key-file <path>', 'file holding the master key, mode 0600 (default: global.secrets.key_file, $HEL_MASTER_KEY_FILE, else $HEL_MASTER_KEY)')
    .option('-c, --config <path>', 'config file to read global.secrets from (default: $HEL_CONFIG or ./hel.yaml if present)');
}

export function registerSecretsCommand(program: Command): void {
  const secrets = program.command('secrets').description('manage credentials in the encrypted secrets file (AES-256-GCM)');

  withStoreOptions(secrets.command('set'))
    .description('store a value read from stdin (or typed at a hidden prompt); never from the command line')
    .argument('<name>', 'secret name, referenced in hel.yaml as token_secret: NAME')
    .argument('[value...]')
    .action(async (name: string, argvValue: string[], opts: SecretsCliOptions) => {
      if (argvValue.length > 0) {
        throw new HelError('HEL_USAGE', 'secret values are not accepted as arguments (they would end up in shell history and the process list)', {
          hint: `pipe the value on stdin (hel secrets set ${name} < token.txt) or run it in a terminal to type it at a hidden prompt`,
        });
      }
      checkSecretName(name);
      const options = storeOptionsFrom(opts);
      resolveKeyMaterial(options); // fail on a missing or unsafe key before asking for the value
      const value = await readSecretValue(name);
      const info = setSecret(name, value, { ...options, tokenExpiry });
      const expiry = describeExpiry(expiryOf(info.expiresAt, Date.now()));
      process.stdout.write(`stored ${name} in ${options.path}${expiry ? `; token ${expiry}` : ''}\n`);
      if (expiryOf(info.expiresAt, Date.now()).expiringSoon) process.stderr.write(`warning: secret ${name} ${expiry ?? ''}: rotate it soon\n`);
    });

  withStoreOptions(secrets.command('list'))
    .description('list stored names with their update time and token expiry (never the values)')
    .action((opts: SecretsCliOptions) => {
      const options = storeOptionsFrom(opts);
      const rows = listSecrets(options);
      if (rows.length === 0) {
        process.stdout.write(`no secrets in ${options.path}\n`);
        return;
      }
      const now = Date.now();
      const width = Math.max(4, ...rows.map((r) => r.name.length));
      process.stdout.write(`${'NAME'.padEnd(width)}  UPDATED               EXPIRY\n`);
      for (const row of rows) {
        const expiry = expiryOf(row.expiresAt, now);
        const text = describeExpiry(expiry) ?? '-';
        const warn = expiry.expiringSoon ? '  WARNING: rotate soon' : '';
        process.stdout.write(`${row.name.padEnd(width)}  ${row.updatedAt.slice(0, 19)}Z  ${text}${warn}\n`);
      }
    });

  withStoreOptions(secrets.command('rm'))
    .description('remove a stored secret')
    .argument('<name>', 'secret name')
    .action((name: string, opts: SecretsCliOptions) => {
      const options = storeOptionsFrom(opts);
      removeSecret(name, options);
      process.stdout.write(`removed ${name} from ${options.path}\n`);
    });
}
