// Small DOM helpers: no framework (issue 8: hand-written ES modules, nothing to build).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

/**
 * API token (issue 7 access control: with MW_USERS_FILE set, every /api/ request needs
 * `Authorization: Bearer <token>`); kept in localStorage, asked for on a 401.
 */
const TOKEN_KEY = 'meterwatch.token';
export function authHeaders(extra = {}) {
  const token = localStorage.getItem(TOKEN_KEY);
  if (token) return { ...extra, authorization: `Bearer ${token}` };
  // No token: a loopback client without MW_USERS_FILE acts as `x-actor` in role `x-role`
  // (development and the demo; dashboard/auth/access.ts). Chosen on the ledger page.
  const role = localStorage.getItem('meterwatch.role');
  const actor = localStorage.getItem('meterwatch.actor');
  // Header values must be Latin-1: a name in Chinese is left out (the server says `local`).
  const ascii = actor && /^[\x20-\x7e]+$/.test(actor);
  return { ...extra, ...(role ? { 'x-role': role } : {}), ...(ascii ? { 'x-actor': actor } : {}) };
}

export async function api(url, init = {}) {
  let res = await fetch(url, { ...init, headers: authHeaders(init.headers) });
  if (res.status === 401) {
    const token = window.prompt('API token (MW_USERS_FILE)');
    if (token) {
      localStorage.setItem(TOKEN_KEY, token.trim());
      res = await fetch(url, { ...init, headers: authHeaders(init.headers) });
    }
  }
  return res;
}

export async function getJson(url) {
  const res = await api(url);
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return res.json();
}

export async function postJson(url, body) {
  return api(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Downloads an export through api() (so the token goes along) and saves it under `name`. */
export async function download(url, name) {
  const res = await api(url);
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  const href = URL.createObjectURL(await res.blob());
  const a = h('a', { href, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

export function select(name, label, options, value, onChange) {
  return h('label', { class: 'field' }, label,
    h('select', { name, onchange: (e) => onChange(e.target.value) }, options.map(([v, text]) => h('option', { value: v, selected: v === (value ?? '') }, text))));
}

export const num = (v, digits = 1) => (v === null || v === undefined ? '' : Number(v).toLocaleString(undefined, { maximumFractionDigits: digits }));
export const pct = (v) => (v === null || v === undefined ? '' : `${(v * 100).toFixed(1)} %`);

/** An echarts chart in a sized box; resized with the window and before printing. */
export function chart(el, option) {
  const c = window.echarts.init(el);
  // Legend on top, clear of the month labels of the x axis.
  c.setOption(option.legend ? { ...option, legend: { top: 0, ...option.legend } } : option);
  const resize = () => c.resize();
  window.addEventListener('resize', resize);
  window.addEventListener('beforeprint', resize);
  return c;
}
