/** The config file a command reads: --config, else HEL_CONFIG, else ./hel.yaml. */
export function configPath(option: string | undefined): string {
  return option ?? process.env.HEL_CONFIG ?? 'hel.yaml';
}
