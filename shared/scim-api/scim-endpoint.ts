// Wraps a SCIM operation as an Azure Functions HTTP handler: authenticates the integration named in the route,
// turns ScimErrors into RFC 7644 error envelopes, turns every other failure into a 500 envelope with a correlation
// id (logged, never shown), and writes one structured log line per request.
import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { IntegrationRecord } from '../directory/model/integration-record.js';
import { logFault, logRequestOutcome, startRequestTimer } from '../observability/request-log.js';
import { type ScimWriteRecorder, scimWriteRecorder } from '../provisioning-log/scim-writes.js';
import { internalErrorBody, ScimError } from '../scim/errors.js';
import { type Services, services } from '../services.js';
import { authenticateScimRequest } from './authenticate.js';
import { toScimError } from './scim-error-mapping.js';
import { scimResponse } from './scim-http.js';

export interface ScimRequest {
  request: HttpRequest;
  context: InvocationContext;
  integration: IntegrationRecord;
  services: Services;
  /** The Tenant URL as the client used it, without a trailing slash: https://host/api/scim/<id>/v2 */
  baseUrl: string;
}

export type ScimOperation = (call: ScimRequest) => Promise<HttpResponseInit>;

/** The Tenant URL prefix of the request URL (everything up to and including /scim/<integration>/v2). */
export function tenantBaseUrl(request: HttpRequest, integrationId: string): string {
  const url = new URL(request.url);
  const marker = `/scim/${integrationId}/v2`.toLowerCase();
  const at = url.pathname.toLowerCase().indexOf(marker);
  const path = at < 0 ? `/api/scim/${integrationId}/v2` : url.pathname.slice(0, at + marker.length);
  return `${url.origin}${path}`;
}

export function scimEndpoint(name: string, operation: ScimOperation): HttpHandler {
  return async (request, context) => {
    const elapsed = startRequestTimer();
    const integrationId = request.params.integrationId ?? '';
    const opName = `scim.${name}.${request.method.toLowerCase()}`;
    // A write of an authenticated integration is recorded in the provisioning log with the status it is answered with.
    let recordWrite: ScimWriteRecorder | undefined;
    try {
      const all = await services();
      const integration = await authenticateScimRequest(all.integrations, integrationId, request.headers.get('authorization'));
      recordWrite = scimWriteRecorder(all.provisioningLog, { endpoint: name, request, context, integrationId: integration.id });
      const response = await operation({ request, context, integration, services: all, baseUrl: tenantBaseUrl(request, integration.id) });
      recordWrite?.(response.status ?? 200, response);
      logRequestOutcome(context, { operation: opName, status: response.status ?? 200, durationMs: elapsed(), integrationId: integration.id });
      return response;
    } catch (caught) {
      const error = toScimError(caught);
      if (error instanceof ScimError) {
        logRequestOutcome(context, {
          operation: opName,
          status: error.status,
          durationMs: elapsed(),
          integrationId,
          ...(error.scimType === undefined ? {} : { scimType: error.scimType }),
          // The detail may quote what the caller sent (a userName, an e-mail): the log keeps the status and
          // scimType only, no PII beyond ids (the caller got the detail in the response).
          ...(error.status === 401 ? { detail: 'authentication failed' } : {}),
        });
        recordWrite?.(error.status, undefined, error.scimType);
        return scimResponse(error.status, error.toBody(), error.headers);
      }
      const correlationId = logFault(context, 'scim', error);
      logRequestOutcome(context, { operation: opName, status: 500, durationMs: elapsed(), integrationId, correlationId });
      recordWrite?.(500);
      return scimResponse(500, internalErrorBody(correlationId));
    }
  };
}

/** For methods a route does not serve. */
export function methodNotAllowed(method: string): ScimError {
  return new ScimError(405, `${method} is not supported on this endpoint.`);
}


