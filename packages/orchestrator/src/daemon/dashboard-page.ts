/** The dashboard: one self-contained page (no external assets). The token travels in the URL fragment, never to the server's logs. */
export const dashboardPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pm dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:2rem;color:#222;background:#fafafa}
h1{font-size:1.3rem}table{border-collapse:collapse;min-width:60%}
th,td{padding:.4rem .8rem;border-bottom:1px solid #ddd;text-align:left}
.running{color:#18794e}.starting,.stopping,.backoff{color:#b35900}.errored{color:#c62828}.stopped{color:#777}
button{margin-right:.3rem}#conn{font-size:.85rem;color:#777}
</style></head>
<body><h1>pm dashboard</h1><p id="conn">connecting…</p>
<table><thead><tr><th>name</th><th>status</th><th>pid</th><th>restarts</th><th>uptime</th><th>cpu</th><th>memory</th><th>port</th><th></th></tr></thead>
<tbody id="apps"></tbody></table>
<h2 style="font-size:1rem;margin-top:2rem">recent events</h2><ol id="events" reversed style="font-family:monospace;font-size:.85rem"></ol>
<script>
const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
const conn = document.getElementById('conn');
const body = document.getElementById('apps');
const mb = (b) => b == null ? '' : (b / 1048576).toFixed(1) + ' MB';
function cell(text, cls) { const td = document.createElement('td'); td.textContent = text == null ? '' : String(text); if (cls) td.className = cls; return td; }
function render(apps) {
  body.replaceChildren(...apps.map((a) => {
    const tr = document.createElement('tr'); tr.dataset.app = a.name;
    tr.append(cell(a.name), cell(a.status, a.status), cell(a.pid), cell(a.restarts), cell(a.uptime + ' s'), cell(a.cpu == null ? '' : a.cpu + ' %'), cell(mb(a.memory)), cell(a.port));
    const actions = document.createElement('td');
    for (const action of ['start', 'stop', 'restart']) {
      const b = document.createElement('button'); b.textContent = action; b.dataset.action = action;
      b.onclick = () => fetch('/api/apps/' + encodeURIComponent(a.name) + '/' + action, { method: 'POST', headers: { authorization: 'Bearer ' + token } });
      actions.append(b);
    }
    tr.append(actions); return tr;
  }));
}
const log = document.getElementById('events');
function describe(e) { return new Date(e.time).toLocaleTimeString() + '  ' + e.app + '  ' + e.type + (e.reason ? ': ' + e.reason : e.code != null ? ' (code ' + e.code + ')' : e.signal ? ' (' + e.signal + ')' : ''); }
function addEvent(e) { const li = document.createElement('li'); li.textContent = describe(e); log.prepend(li); while (log.children.length > 50) log.lastChild.remove(); }
const events = new EventSource('/api/events?token=' + encodeURIComponent(token));
events.addEventListener('status', (e) => { conn.textContent = 'live'; render(JSON.parse(e.data)); });
events.addEventListener('history', (e) => { log.replaceChildren(); JSON.parse(e.data).forEach(addEvent); });
events.addEventListener('lifecycle', (e) => addEvent(JSON.parse(e.data)));
events.onerror = () => { conn.textContent = token ? 'disconnected (is the daemon running?)' : 'no token: open the URL printed by pm dashboard'; };
</script></body></html>
`;
