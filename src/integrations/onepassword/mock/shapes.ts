/** Wire shapes of the Events API items (reference §11), as the v2 endpoints send them. */

export type ApiVersion = 'v1' | 'v2';
export type Stream = 'auditevents' | 'signinattempts' | 'itemusages';
export const STREAMS: readonly Stream[] = ['auditevents', 'signinattempts', 'itemusages'];

export interface UserObject {
  uuid: string;
  name: string;
  email: string;
  /** v2 only. */
  user_type?: string;
  /** v2 only, for users from another (MSP) account. */
  user_account_uuid?: string;
}

export interface LocationObject {
  country: string;
  region: string;
  city: string;
  latitude: number;
  longitude: number;
}

interface SessionObject {
  uuid: string;
  login_time: string;
  device_uuid: string;
  ip: string;
}

export interface ClientObject {
  app_name: string;
  app_version: string;
  platform_name: string;
  platform_version: string;
  os_name: string;
  os_version: string;
  ip_address: string;
}

export interface AuditEvent {
  uuid: string;
  timestamp: string;
  actor_uuid: string;
  actor_details?: UserObject;
  /** v2 only. */
  actor_type?: string;
  /** v2 only. */
  actor_account_uuid?: string;
  /** v2 only. */
  account_uuid?: string;
  action: string;
  object_type: string;
  object_uuid: string;
  object_details?: UserObject;
  aux_id?: number;
  aux_uuid?: string;
  aux_details?: UserObject;
  aux_info?: string;
  session: SessionObject;
  location?: LocationObject;
}

export interface SignInAttempt {
  uuid: string;
  session_uuid: string;
  timestamp: string;
  category: string;
  type: string;
  country: string;
  details: { value: string } | null;
  target_user: UserObject;
  client: ClientObject;
  location?: LocationObject;
  /** v2 only. */
  account_uuid?: string;
}

export interface ItemUsage {
  uuid: string;
  timestamp: string;
  used_version: number;
  vault_uuid: string;
  item_uuid: string;
  action: string;
  user: UserObject;
  client: ClientObject;
  location?: LocationObject;
  /** v2 only. */
  account_uuid?: string;
}

export interface StreamItems {
  auditevents: AuditEvent;
  signinattempts: SignInAttempt;
  itemusages: ItemUsage;
}

/**
 * Overrides merge over a generated item. A key set to `undefined` removes that field, which is
 * how a fixture says "no location" or "no aux_details".
 */
export type Overrides<T> = { [K in keyof T]?: T[K] | undefined };
