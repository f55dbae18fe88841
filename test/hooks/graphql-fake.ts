import type { Handler, Reply } from '../helpers/fake-api.js';

export interface AuditNode {
  id: string;
  createdAt: string;
  action: string;
}

/** `count` audit entries, oldest first, one second apart. */
export function auditNodes(count: number, from = 0): AuditNode[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `a${from + i + 1}`,
    createdAt: new Date(Date.UTC(2026, 10, 20, 0, 0, from + i)).toISOString(),
    action: i % 2 === 0 ? 'user.login' : 'role.grant',
  }));
}

const cursorOf = (index: number) => Buffer.from(`cursor:${index}`).toString('base64');
const indexOf = (cursor: string) => Number(Buffer.from(cursor, 'base64').toString().slice('cursor:'.length));

/**
 * A GraphQL endpoint with a Relay connection, as GitHub's, Linear's or Shopify's: `auditLog(first,
 * after)` returns edges after the opaque cursor and pageInfo {endCursor, hasNextPage}; errors come
 * as 200 with `errors`. `failAfter` answers a GraphQL error for that cursor (a fault to inject).
 */
export function graphqlAuditHandler(options: { nodes: () => AuditNode[]; token: string; failAfter?: () => string | undefined }): Handler {
  return (req): Reply => {
    if (req.method !== 'POST' || req.path !== '/graphql') return { status: 404, body: { message: 'not found' } };
    if (req.headers.authorization !== `Bearer ${options.token}`) return { status: 401, body: { message: 'Bad credentials' } };
    const body = JSON.parse(req.body) as { query?: string; variables?: { after?: string | null } };
    const first = Number(/auditLog\(first: (\d+)/.exec(body.query ?? '')?.[1]);
    if (!Number.isInteger(first) || first < 1 || first > 100) return { body: { errors: [{ message: 'auditLog needs first between 1 and 100' }], data: null } };
    const after = body.variables?.after ?? null;
    if (after !== null && after === options.failAfter?.()) return { body: { errors: [{ message: 'Something went wrong while executing your query' }], data: null } };
    const start = after === null ? 0 : indexOf(after) + 1;
    const all = options.nodes();
    const page = all.slice(start, start + first);
    return {
      body: {
        data: {
          auditLog: {
            edges: page.map((node, i) => ({ node, cursor: cursorOf(start + i) })),
            pageInfo: { endCursor: page.length > 0 ? cursorOf(start + page.length - 1) : null, hasNextPage: start + page.length < all.length },
          },
        },
      },
    };
  };
}

export const afterOf = (requestBody: string) => (JSON.parse(requestBody) as { variables: { after: string | null } }).variables.after;
export const cursorAt = cursorOf;
