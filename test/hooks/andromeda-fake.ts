import type { Handler, Reply } from '../helpers/fake-api.js';

/**
 * Andromeda Security's GraphQL audit trail as its HAR shows it (Helr's docs/integrations/andromeda.md):
 * POST /graphql, operation AndromedaEventsList, offset pages through variables.pageArgs {skip,
 * pageSize}, events newest first in data.AndromedaEvents.edges[].node, a session cookie. GraphQL
 * errors come as HTTP 200 with an `errors` array; a missing session is 401.
 */
export interface AndromedaNode {
  id: string;
  type: string;
  name: string;
  time: string;
  actor: string;
  level: string;
  subtype: string;
  eventPrimaryKey: string;
  __typename: 'AndromedaEvent';
}

/** `count` events, newest first, one minute apart, ending at `newest`. */
export function andromedaEvents(count: number, newest = Date.parse('2026-11-20T12:00:00.000Z')): AndromedaNode[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `evt-${String(count - i).padStart(5, '0')}`,
    type: i % 3 === 0 ? 'ACCESS_REQUEST' : 'LOGIN',
    name: i % 3 === 0 ? 'Access request approved' : 'User login',
    time: new Date(newest - i * 60_000).toISOString(),
    actor: `user${i % 7}@example.com`,
    level: i % 5 === 0 ? 'WARNING' : 'INFO',
    subtype: 'AUDIT',
    eventPrimaryKey: `pk-${count - i}`,
    __typename: 'AndromedaEvent',
  }));
}

const graphqlError = (message: string): Reply => ({ body: { errors: [{ message, extensions: { code: 'BAD_USER_INPUT' } }], data: null } });

export function andromedaHandler(options: { events: () => AndromedaNode[]; cookie: string }): Handler {
  return (req) => {
    if (req.path !== '/graphql' || req.method !== 'POST') return { status: 404, body: { message: 'not found' } };
    if (req.headers.cookie !== options.cookie) return { status: 401, body: { errors: [{ message: 'Unauthorized' }] } };
    if (!String(req.headers['content-type']).startsWith('application/json')) return { status: 415, body: { message: 'expected application/json' } };
    let body: { operationName?: unknown; query?: unknown; variables?: { pageArgs?: { skip?: unknown; pageSize?: unknown } } };
    try {
      body = JSON.parse(req.body) as typeof body;
    } catch {
      return { status: 400, body: { errors: [{ message: 'POST body is not JSON' }] } };
    }
    if (body.operationName !== 'AndromedaEventsList') return graphqlError(`unknown operation ${String(body.operationName)}`);
    if (typeof body.query !== 'string' || !body.query.includes('AndromedaEvents(') || !body.query.includes('$pageArgs: PageArgs!')) return graphqlError('query does not select AndromedaEvents');
    const { skip, pageSize } = body.variables?.pageArgs ?? {};
    if (!Number.isInteger(skip) || (skip as number) < 0) return graphqlError('Variable "$pageArgs" got invalid value for "skip"');
    if (!Number.isInteger(pageSize) || (pageSize as number) < 1 || (pageSize as number) > 100) return graphqlError('Variable "$pageArgs" got invalid value for "pageSize"');
    const page = options.events().slice(skip as number, (skip as number) + (pageSize as number));
    return {
      body: {
        data: {
          AndromedaEvents: { edges: page.map((node) => ({ node, __typename: 'AndromedaEventEdge' })), __typename: 'AndromedaEventConnection' },
        },
      },
    };
  };
}
