// Graph's answer shapes for the fake: JSON with a request-id header, and the error body Graph sends
// ({"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}). Request ids are sequential
// so tests can quote them.

let requestCounter = 0;

export function nextRequestId(): string {
  requestCounter += 1;
  return `fake-request-${String(requestCounter).padStart(6, '0')}`;
}

export function graphJson(status: number, body: unknown, requestId: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'request-id': requestId, ...headers },
  });
}

export function graphError(status: number, code: string, message: string, request: Request, requestId: string, headers: Record<string, string> = {}): Response {
  const innerError = { date: '2026-12-01T00:00:00', 'request-id': requestId, 'client-request-id': request.headers.get('client-request-id') ?? requestId };
  return graphJson(status, { error: { code, message, innerError } }, requestId, headers);
}

/** An opaque token for a skiptoken or deltatoken. */
let tokenCounter = 0;
export function opaqueToken(kind: string): string {
  tokenCounter += 1;
  return `${kind}${Buffer.from(`fake-${kind}-${tokenCounter}-${Date.now()}`).toString('base64url')}`;
}
