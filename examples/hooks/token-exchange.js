// Trades an API key for a short-lived bearer token, then reads events from `records`.
// Set TOKEN_URL and API_KEY; needs global.hooks.allow_network: true.

async function getAuth(ctx) {
  var res = await fetch(ctx.env.TOKEN_URL, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ api_key: ctx.env.API_KEY })
  });
  if (!res.ok) throw new Error("token endpoint answered HTTP " + res.status);
  var token = (await res.json()).access_token;
  console.log("token exchanged for", ctx.sourceId);
  return { headers: { Authorization: "Bearer " + token } };
}

function parseResponse(ctx, response) {
  return (response.body.records || []).map(function (record) {
    return { ts: record.created, source: ctx.sourceId, event: record, meta: { kind: record.kind } };
  });
}
