// Stand-in for a front-end dev server (Vite in the reference stack): serves one page and proxies
// /api/* and /agents/* to the back ends, so the browser talks to one origin.
import { createServer, request } from 'node:http';

const port = Number(process.env.PORT ?? 3102);
const upstreams = { '/api/': process.env.API_URL, '/agents/': process.env.AGENTS_URL };

const page = `<!doctype html><meta charset="utf-8"><title>dev stack</title>
<h1>dev stack</h1><pre id="out">loading…</pre>
<script>
  Promise.all(['/api/health', '/agents/health'].map((u) => fetch(u).then((r) => r.json()).catch((e) => ({ error: String(e) }))))
    .then(([api, agents]) => { document.getElementById('out').textContent = JSON.stringify({ api, agents }, null, 2); });
</script>`;

const server = createServer((req, res) => {
  const prefix = Object.keys(upstreams).find((p) => req.url.startsWith(p));
  if (!prefix) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    return;
  }
  const target = new URL(req.url.slice(prefix.length - 1), upstreams[prefix]);
  const upstream = request(target, { method: req.method, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":"upstream unreachable"}'));
  req.pipe(upstream);
});

server.listen(port, () => console.log(`web ready on http://localhost:${port}`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
