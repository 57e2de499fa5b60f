import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

/**
 * OpenAPI docs at `/docs` (issue 8), generated from the routes registered after this plugin
 * (@fastify/swagger collects them on its onRoute hook, so register it first). The UI's
 * assets come from the npm package: no CDN.
 */
export async function openApiDocs(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: 'meterwatch', version: '1', description: 'Telemetry and anomaly analytics for city natural-gas meters (see interface.md)' },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
