import { HelError } from '../errors.js';

// Placeholder until the encrypted store lands (issue 9): the signature is the contract.
export function readStoredSecret(name: string, _options: { path: string; env: NodeJS.ProcessEnv; keyFile?: string }): string {
  throw new HelError('HEL_SECRET', `secret ${name}: the encrypted secrets store is not available yet`);
}
