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

export async function getJson(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return res.json();
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
