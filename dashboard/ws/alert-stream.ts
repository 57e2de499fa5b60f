import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { TypedBus } from '../../core/bus.ts';
import type { MeterwatchEvents } from '../../core/events.ts';
import type { StoredAlert } from '../../analytics/alerts/alert-rows.ts';
import { alertJson } from '../routes/alert-format.ts';

/** GET /api/alerts/stream (WebSocket): every alert as it is raised, one JSON object a message. */
export function alertStream(bus: TypedBus<MeterwatchEvents>, zone: string): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    app.get('/api/alerts/stream', { websocket: true }, (socket) => {
      const off = bus.on('alert.raised', ({ alert }) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(alertJson(alert as StoredAlert, zone)));
      });
      socket.on('close', off);
      socket.on('error', off);
    });
  };
}
