// Benchmark ceiling: a raw node:http server that answers a JSON-RPC POST with a fixed JSON result.
import { createServer } from 'node:http';

const http = createServer((req, res) => {
  if (req.url === '/readyz') {
    res.writeHead(200).end('ok');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let id: unknown = null;
    try {
      id = (JSON.parse(Buffer.concat(chunks).toString()) as { id?: unknown }).id ?? null;
    } catch {
      // Echo null for a body that is not JSON.
    }
    const text = JSON.stringify({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: 'ok' }] } });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
});

http.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const address = http.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}/mcp`, port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
