/**
 * The documented enum values (Events API 1.4.1, reference §11). They are open: anything else is
 * reported in the "Unknown values" section instead of being dropped.
 */
export const KNOWN_AUDIT_ACTIONS = new Set(
  `activate addgsso begin beginr cancel cancelr changeks changela changemp changenm changesk chngasso chngdsso chngpsso complete completr
  convert create dealldev delete delgsso delshare deolddev detchild disblduo disblmfa disblsso dlgsess dvrfydmn enblduo enblmfa enblsso
  expire export grant hide join launchi leave musercom muserdec patch propose provsn prsndall purge rdmchild reactive reauth replace
  resendts revoke role sdvcsso sendpkg sendts share ssotknv suspend tdvcsso trename trevoke trvlaway trvlback tverify uisas unhide unknown
  unlink updatduo update updatea updatfw updatmfa upguest uvrfydmn verify view vrfydmn`.split(/\s+/),
);

export const KNOWN_AUDIT_OBJECT_TYPES = new Set(
  `account card cred device dlgdsess ec famchild file gm group gva invite item itemhist items miguser mngdacc pm report sa satoken
  slackapp sso ssotkn sub template user uva vault vaultkey`.split(/\s+/),
);

export const KNOWN_SIGNIN_CATEGORIES = new Set(['success', 'credentials_failed', 'mfa_failed', 'sso_failed', 'modern_version_failed', 'firewall_failed', 'firewall_reported_success']);

export const KNOWN_SIGNIN_TYPES = new Set(
  `all_blocked anonymous_blocked code_bad code_disabled code_timeout continent_blocked country_blocked credentials_ok duo_bad duo_disabled
  duo_native_bad duo_timeout federated ip_blocked mfa_missing mfa_ok modern_version_missing modern_version_old non_sso_user
  password_secret_bad platform_secret_bad platform_secret_disabled platform_secret_proxy service_account_sso_denied sso_user_mismatch
  totp_bad totp_disabled totp_timeout u2f_bad u2f_disabled u2f_timeout u2f_timout`.split(/\s+/),
);

export const KNOWN_ITEM_USAGE_ACTIONS = new Set([
  'enter-item-edit-mode',
  'export',
  'fill',
  'other',
  'reveal',
  'secure-copy',
  'select-sso-provider',
  'server-create',
  'server-fetch',
  'server-update',
  'share',
]);
