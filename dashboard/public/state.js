// View state lives in the URL query string so a view can be shared (issue 8 item 7):
// `?page=lists&range=30d&district=江北区&rule=tamper`. Pages read and write it here.
export function getState() {
  return Object.fromEntries(new URLSearchParams(location.search));
}

/** Merges `patch` into the URL (empty values removed) without reloading; `push` adds history. */
export function setState(patch, { push = false } = {}) {
  const params = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined || v === null || v === '') params.delete(k);
    else params.set(k, String(v));
  }
  const url = `${location.pathname}?${params}`;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

export const QUICK_RANGES = ['7d', '30d', '3M', '12M', '25M'];
