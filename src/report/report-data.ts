import type { AdminSection } from './analyze/admin.js';
import type { CoverageSection } from './analyze/coverage.js';
import type { ItemUsageSection } from './analyze/item-usage.js';
import type { MembershipSection } from './analyze/membership.js';
import type { SignInSection } from './analyze/sign-ins.js';
import type { OtherAuditSection, UnknownValue } from './analyze/unknown.js';
import type { VaultAccessSection } from './analyze/vault-access.js';
import type { InputStats } from './read.js';

export interface TokenExpiry {
  expiresAt: string;
  /** Days from the report's generation time (negative when already expired). */
  daysLeft: number;
  /** "in 3 day(s)", "1 day(s) ago": the same rounding as validate, test and secrets. */
  phrase: string;
  expiringSoon: boolean;
}

/** Everything a report shows; the JSON format is this object as is. */
export interface ReportData {
  title: string;
  generatedAt: string;
  period: { since?: string; until?: string; firstEvent?: string; lastEvent?: string };
  inputs: InputStats;
  totals: { audit: number; signin: number; itemusage: number };
  tokenExpiry?: TokenExpiry;
  /** Set when the report covers one account of a multi-account collection. */
  account?: string;
  admin: AdminSection;
  membership: MembershipSection;
  vaultAccess: VaultAccessSection;
  signIns: SignInSection;
  itemUsage: ItemUsageSection;
  coverage: CoverageSection;
  unknownValues: UnknownValue[];
  otherAudit: OtherAuditSection;
}
