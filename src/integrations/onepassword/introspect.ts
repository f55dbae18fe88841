import { describeError } from '../../errors/format.js';
import { httpTransport } from '../../http/http-transport.js';
import type { HttpTransport } from '../../http/transport.js';

/** GET /api/v2/auth/introspect, normalised (v1's PascalCase shape is accepted too). */
interface Introspection {
  uuid?: string;
  issuedAt?: string;
  features: string[];
  /** Only in the v2 response of API 1.4.1 and later. */
  accountUuid?: string;
  /** Which endpoint answered: v2, or the deprecated v1 one when v2 is not there (404). */
  version: 'v1' | 'v2';
}

export type IntrospectResult = { ok: true; info: Introspection } | { ok: false; status?: number; message: string };

const PATHS = { v2: '/api/v2/auth/introspect', v1: '/api/auth/introspect' } as const;

export async function introspect(
  origin: string,
  token: string,
  signal: AbortSignal,
  transport: HttpTransport = httpTransport({ timeoutMs: 15_000, maxResponseBytes: 1024 * 1024 }),
): Promise<IntrospectResult> {
  try {
    const get = (version: 'v1' | 'v2') =>
      transport.send({ method: 'GET', url: `${origin}${PATHS[version]}`, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } }, { source: 'introspect', signal, page: 1 });
    let version: 'v1' | 'v2' = 'v2';
    let response = await get(version);
    if (response.status === 404) response = await get((version = 'v1'));
    if (response.status !== 200) return { ok: false, status: response.status, message: `HTTP ${response.status}` };
    const body = JSON.parse(response.body.toString('utf8')) as Record<string, unknown>;
    const features = body.features ?? body.Features;
    return {
      ok: true,
      info: {
        uuid: str(body.uuid ?? body.UUID),
        issuedAt: str(body.issued_at ?? body.IssuedAt),
        features: Array.isArray(features) ? features.filter((f): f is string => typeof f === 'string') : [],
        accountUuid: str(body.account_uuid),
        version,
      },
    };
  } catch (err) {
    return { ok: false, message: describeError(err) };
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
