// A GraphQL audit log with Relay-style cursor pages: data.auditLog.edges[].node and
// pageInfo { endCursor, hasNextPage }. Set API_TOKEN; the source needs method: post.

var QUERY = "query AuditLog($after: String) { auditLog(first: 100, after: $after) { edges { node { id createdAt action } } pageInfo { endCursor hasNextPage } } }";

function buildRequest(ctx) {
  return {
    headers: { Authorization: "Bearer " + ctx.env.API_TOKEN },
    body: { query: QUERY, variables: { after: ctx.state.cursor || null } }
  };
}

function parseResponse(ctx, response) {
  var body = response.body;
  if (body.errors && body.errors.length > 0) throw new Error("GraphQL: " + body.errors[0].message);
  var log = body.data.auditLog;
  return log.edges.map(function (edge) {
    return { ts: edge.node.createdAt, source: ctx.sourceId, event: edge.node, meta: { cursor: log.pageInfo.endCursor } };
  });
}

function getNextPage(ctx, request, response) {
  var pageInfo = response.body.data.auditLog.pageInfo;
  if (!pageInfo.hasNextPage) return null;
  return { body: { query: QUERY, variables: { after: pageInfo.endCursor } } };
}

function commitState(ctx, events) {
  return { cursor: ctx.pagination.lastCursor || ctx.state.cursor || "" };
}
