import type { OnePasswordAccountConfig, OnePasswordSourceConfig } from './schema.js';

/** One account of an `accounts:` entry, resolved against the entry's defaults. */
export interface AccountPlan {
  account: string;
  config: OnePasswordSourceConfig;
  /** Where a key of this account is written: in the account when it sets it, else in the entry. */
  pathOf: (key: string) => (string | number)[];
}

export interface AccountProblem {
  path: (string | number)[];
  message: string;
  hint?: string;
}

const TOKEN_KEYS = ['token_env', 'token_file', 'token_secret'] as const;
const ACCOUNT_KEYS = ['region', 'base_url', 'api_version', 'streams', 'start_time', 'limit', 'no_events_alert_hours', ...TOKEN_KEYS] as const;

/**
 * Splits an entry with `accounts:` into one plan per account. The entry's keys are the defaults;
 * each account must name its own token (one token per account: the token decides the account and
 * so the request budget), and names and tokens must be distinct.
 */
export function planAccounts(entry: OnePasswordSourceConfig, accounts: OnePasswordAccountConfig[]): { plans: AccountPlan[]; problems: AccountProblem[] } {
  const problems: AccountProblem[] = [];
  for (const key of TOKEN_KEYS) {
    if (entry[key] !== undefined) problems.push({ path: [key], message: `${key} is set on an entry with accounts:`, hint: 'each account names its own token: move it into the account' });
  }
  const names = new Map<string, number>();
  const tokens = new Map<string, number>();
  const plans: AccountPlan[] = [];
  accounts.forEach((account, index) => {
    const base = ['accounts', index];
    const earlier = names.get(account.name);
    if (earlier !== undefined)
      problems.push({
        path: [...base, 'name'],
        message: `account name ${JSON.stringify(account.name)} is also used by accounts[${earlier}]`,
        hint: 'give every account a distinct name: it names its sources and labels its events',
      });
    names.set(account.name, index);
    if (TOKEN_KEYS.every((k) => account[k] === undefined)) {
      problems.push({ path: base, message: `account ${account.name} has no token`, hint: 'set token_env, token_file or token_secret in the account' });
    } else {
      const origin =
        account.token_file !== undefined ? `token_file ${account.token_file}` : account.token_env !== undefined ? `token_env ${account.token_env}` : `token_secret ${account.token_secret ?? ''}`;
      const other = tokens.get(origin);
      if (other !== undefined)
        problems.push({ path: base, message: `account ${account.name} uses the same token as accounts[${other}] (${origin})`, hint: 'a token belongs to one account: give each account its own' });
      tokens.set(origin, index);
    }
    const own = Object.fromEntries(ACCOUNT_KEYS.filter((k) => account[k] !== undefined).map((k) => [k, account[k]]));
    const config: OnePasswordSourceConfig = { ...entry, ...own, accounts: undefined };
    plans.push({ account: account.name, config, pathOf: (key) => (key in own ? [...base, key] : [key]) });
  });
  return { plans, problems };
}
