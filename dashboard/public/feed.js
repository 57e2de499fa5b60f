// One WebSocket to /api/alerts/stream for the whole page (issue 8: live alerts), reconnecting
// with back-off. Pages and the critical badge listen to `alert` and `status` events.
export const feed = new EventTarget();
let socket;
let wait = 500;

export function connectFeed() {
  // With API users configured the stream needs the token, in the query (no headers on a WebSocket).
  const token = localStorage.getItem('meterwatch.token');
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/alerts/stream${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  socket = new WebSocket(url);
  socket.onopen = () => {
    wait = 500;
    feed.dispatchEvent(new CustomEvent('status', { detail: 'open' }));
  };
  socket.onmessage = (msg) => {
    try {
      feed.dispatchEvent(new CustomEvent('alert', { detail: JSON.parse(msg.data) }));
    } catch {
      // not an alert: ignore
    }
  };
  socket.onclose = () => {
    feed.dispatchEvent(new CustomEvent('status', { detail: 'closed' }));
    setTimeout(connectFeed, wait);
    wait = Math.min(wait * 2, 10_000);
  };
}

export const feedOpen = () => socket?.readyState === WebSocket.OPEN;
