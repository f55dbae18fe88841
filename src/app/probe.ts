import { systemClock } from '../clock.js';
import { isHelError } from '../errors.js';
import { BudgetRegistry } from '../resilience/budget.js';
import type { SecretReader } from '../secrets/resolver.js';
import type { Probe } from '../integrations/integration.js';
import { composeTransport } from './compose.js';

/** The probe a connection test sends, on the source's own transport chain with a single attempt. */
export function sourceProbe(secrets: SecretReader): Probe {
  return async (source, url, signal, advise) => {
    const transport = composeTransport({
      source: source.name,
      config: { auth: source.auth, resilience: { ...source.resilience, retries: { ...source.resilience.retries, max_attempts: 1 } } },
      secrets,
      clock: systemClock,
      budgets: new BudgetRegistry(systemClock),
      ...(advise === undefined ? {} : { advise }),
    });
    try {
      const response = await transport.send({ method: 'GET', url, headers: source.headers }, { source: source.name, signal, page: 1 });
      return { ok: true, response };
    } catch (err) {
      if (!isHelError(err)) throw err;
      return { ok: false, status: err.context.status, message: err.message, ...(err.context.hint === undefined ? {} : { hint: err.context.hint }) };
    }
  };
}
