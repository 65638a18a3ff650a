// MCP smoke test used by `helm test` (and by test/helm/run.sh against a local instance):
// initialize, then tools/list, through the Service; the service must not issue a session id.
const url = process.env.MCP_URL;
if (!url) {
  console.error('MCP_URL is not set');
  process.exit(2);
}
const apiKey = (process.env.MCP_API_KEYS ?? '').split(',')[0].trim();
const timeoutMs = Number(process.env.MCP_TIMEOUT_MS ?? 10000);

async function rpc(id, method, params, extraHeaders = {}) {
  const headers = {
    'Content-Type': 'application/json',
    Accept: 'application/json, text/event-stream',
    ...extraHeaders,
  };
  // An inbound API key goes in X-API-Key in forward mode (Authorization is the caller's Airflow token).
  if (apiKey && (process.env.AIRFLOW_AUTH_MODE ?? 'forward') === 'forward') headers['X-API-Key'] = apiKey;
  else if (apiKey) headers.Authorization = `Bearer ${apiKey}`;
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${method}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  const session = res.headers.get('mcp-session-id');
  if (session !== null) throw new Error(`${method}: the service issued mcp-session-id ${session}; it must be stateless`);
  const type = res.headers.get('content-type') ?? '';
  // The answer is either JSON or SSE (`data:` lines); take the JSON-RPC response with our id.
  const bodies = type.includes('text/event-stream')
    ? text
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => JSON.parse(line.slice(5).trim()))
    : [JSON.parse(text)];
  const reply = bodies.find((b) => b && b.id === id);
  if (!reply) throw new Error(`${method}: no JSON-RPC response with id ${id} in: ${text.slice(0, 300)}`);
  if (reply.error) throw new Error(`${method}: JSON-RPC error ${JSON.stringify(reply.error)}`);
  return reply.result;
}

try {
  const init = await rpc(1, 'initialize', {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'airflow-mcp-helm-test', version: '1.0.0' },
  });
  if (!init?.serverInfo?.name || !init?.protocolVersion) throw new Error(`initialize: unexpected result ${JSON.stringify(init)}`);
  console.log(`initialize: ok (server ${init.serverInfo.name} ${init.serverInfo.version ?? ''}, protocol ${init.protocolVersion})`);
  const list = await rpc(2, 'tools/list', {}, { 'MCP-Protocol-Version': init.protocolVersion });
  if (!Array.isArray(list?.tools) || list.tools.length === 0) throw new Error(`tools/list: no tools in ${JSON.stringify(list)}`);
  console.log(`tools/list: ok (${list.tools.length} tools)`);
  console.log('no mcp-session-id header: ok');
} catch (err) {
  console.error(`FAIL ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
