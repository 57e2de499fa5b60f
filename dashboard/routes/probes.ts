import type { FastifyInstance } from 'fastify';
import type { HealthSources } from '../health.ts';

/**
 * Kubernetes-style probes (issue 8): `/healthz` answers while the process serves HTTP
 * (liveness); `/readyz` answers 200 only while storage is up, so a load balancer stops
 * sending traffic the service could not store (readiness). `/api/health` has the details.
 */
export async function probeRoutes(app: FastifyInstance, health: HealthSources): Promise<void> {
  app.get('/healthz', { schema: { description: 'Liveness: the process answers HTTP', tags: ['health'] } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { description: 'Readiness: 200 while storage is up, else 503', tags: ['health'] } }, async (_req, reply) => {
    const storage = health.storage();
    const ready = storage.state === 'up';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', storage: storage.state });
  });
}
