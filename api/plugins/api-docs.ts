import scalarApiReference from '@scalar/fastify-api-reference';
import type { FastifyInstance } from 'fastify';

/**
 * Browsable API documentation at /docs (Scalar), rendered from the same OpenAPI document as
 * /openapi.json. The plugin serves its own script from the package, and the default web fonts
 * are switched off, so the page makes no request outside this server: it works offline and
 * behind a firewall, as the dashboard does. Public, like /openapi.json: it describes the API,
 * and every operation still needs its role.
 */
export async function registerApiDocs(app: FastifyInstance, document: object): Promise<void> {
  await app.register(scalarApiReference, {
    routePrefix: '/docs',
    logLevel: 'silent',
    configuration: {
      content: document,
      withDefaultFonts: false,
      // "Try it" goes straight to this server, never through Scalar's hosted proxy.
      proxyUrl: '',
      hideClientButton: true,
      // No vendor toolbar (hosted deploy, SDK generation, AI agent): this is our API's manual.
      showDeveloperTools: 'never',
      agent: { disabled: true },
      telemetry: false,
      metaData: { title: 'Sampletrack API' },
    },
  });
}
