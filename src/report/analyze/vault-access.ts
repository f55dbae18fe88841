import { field, increment, objectField, personFrom, personLabel, type ReportEvent } from '../event.js';
import { auditSectionOf } from './audit-classes.js';
import { auditRow, byTime, type Analyzer, type AuditRow } from './common.js';

/**
 * Vault permission bits as the 1Password SDKs define them (READ_ITEMS = 32, ...). The Events API
 * does not document `aux_id` on uva/gva grants; we assume the same encoding and always show the
 * raw number and hex next to the names, plus any bits we cannot name.
 */
const VAULT_PERMISSION_BITS: readonly [number, string][] = [
  [1, 'recover_vault'],
  [2, 'manage_vault'],
  [16, 'reveal_item_password'],
  [32, 'read_items'],
  [64, 'update_items'],
  [128, 'create_items'],
  [256, 'archive_items'],
  [512, 'delete_items'],
  [1024, 'update_item_history'],
  [1_048_576, 'send_items'],
  [2_097_152, 'import_items'],
  [4_194_304, 'export_items'],
  [8_388_608, 'print_items'],
];

export interface DecodedPermissions {
  value: number;
  hex: string;
  names: string[];
  /** Bits without a known name, as hex; kept so nothing is hidden. */
  unknownBits?: string;
}

export function decodePermissions(value: number): DecodedPermissions {
  const names: string[] = [];
  let rest = value;
  for (const [bit, name] of VAULT_PERMISSION_BITS) {
    if ((value & bit) !== 0) {
      names.push(name);
      rest &= ~bit;
    }
  }
  const decoded: DecodedPermissions = { value, hex: `0x${value.toString(16)}`, names };
  if (rest !== 0) decoded.unknownBits = `0x${(rest >>> 0).toString(16)}`;
  return decoded;
}

interface VaultAccessChange extends AuditRow {
  /** uva: a user's access; gva: a group's access. */
  grantee: string;
  granteeKind: 'user' | 'group';
  vault: string;
  permissions?: DecodedPermissions;
}

export interface VaultAccessSection {
  total: number;
  counts: { key: string; count: number }[];
  vaults: { vault: string; grants: number; revokes: number; updates: number; other: number }[];
  changes: VaultAccessChange[];
}

/** Grants, revokes and updates of user (uva) and group (gva) vault access, with permission bits. */
export function vaultAccessAnalyzer(): Analyzer<VaultAccessSection> {
  const changes: VaultAccessChange[] = [];
  return {
    add(event: ReportEvent) {
      if (event.stream !== 'audit' || auditSectionOf(event.raw) !== 'vault-access') return;
      const granteeKind = field(event.raw, 'object_type') === 'gva' ? 'group' : 'user';
      const grantee = personLabel(personFrom(objectField(event.raw, 'aux_details'), field(event.raw, 'aux_uuid')));
      const row: VaultAccessChange = { ...auditRow(event), grantee, granteeKind, vault: field(event.raw, 'object_uuid') ?? 'unknown' };
      const aux = event.raw.aux_id;
      if (typeof aux === 'number' && Number.isInteger(aux)) row.permissions = decodePermissions(aux);
      changes.push(row);
    },
    result() {
      const counts = new Map<string, number>();
      const vaults = new Map<string, { vault: string; grants: number; revokes: number; updates: number; other: number }>();
      for (const c of changes) {
        increment(counts, `${c.objectType} ${c.action}`);
        const v = vaults.get(c.vault) ?? { vault: c.vault, grants: 0, revokes: 0, updates: 0, other: 0 };
        if (c.action === 'grant') v.grants++;
        else if (c.action === 'revoke') v.revokes++;
        else if (c.action === 'update') v.updates++;
        else v.other++;
        vaults.set(c.vault, v);
      }
      return {
        total: changes.length,
        counts: [...counts].map(([key, count]) => ({ key, count })).sort((a, b) => a.key.localeCompare(b.key)),
        vaults: [...vaults.values()].sort((a, b) => a.vault.localeCompare(b.vault)),
        changes: changes.sort(byTime),
      };
    },
  };
}
