// Shared Key Lite for the Table service, the signature the SDK sends for an account key (its
// tablesNamedKeyCredentialPolicy): HMAC-SHA256 with the account key over the x-ms-date header and the canonicalized
// resource, "/<account><URL path>" plus "?comp=<value>" when the URL has one
// (learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key, "Shared Key Lite and Table service
// format"). The SDK's policy decodes the base64 key and parses the URL on every call; this one decodes the key once
// and cuts the path out of the URL string.
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { PipelinePolicy, PipelineRequest } from './table-http-client.js';

export const SHARED_KEY_LITE_POLICY = 'leanSharedKeyLitePolicy';

export interface AccountKey {
  accountName: string;
  /** The account key as the connection string gives it (base64). */
  accountKey: string;
}

/** The string Shared Key Lite signs for this request: its date, a newline, the canonicalized resource. */
export function sharedKeyLiteStringToSign(accountName: string, date: string, url: string): string {
  const pathStart = url.indexOf('/', url.indexOf('//') + 2);
  const queryStart = url.indexOf('?');
  const path = pathStart === -1 || (queryStart !== -1 && queryStart < pathStart) ? '/' : url.slice(pathStart, queryStart === -1 ? undefined : queryStart);
  const comp = queryStart === -1 ? null : new URLSearchParams(url.slice(queryStart + 1)).get('comp');
  return `${date}\n/${accountName}${path}${comp === null || comp === '' ? '' : `?comp=${comp}`}`;
}

/** A pipeline policy that signs each request with Shared Key Lite (setting x-ms-date when absent). */
export function sharedKeyLitePolicy({ accountName, accountKey }: AccountKey): PipelinePolicy {
  const key: KeyObject = createSecretKey(Buffer.from(accountKey, 'base64'));
  const sign = (request: PipelineRequest): void => {
    let date = request.headers.get('x-ms-date');
    if (date === undefined) {
      date = new Date().toUTCString();
      request.headers.set('x-ms-date', date);
    }
    const signature = createHmac('sha256', key).update(sharedKeyLiteStringToSign(accountName, date, request.url), 'utf8').digest('base64');
    request.headers.set('authorization', `SharedKeyLite ${accountName}:${signature}`);
  };
  return {
    name: SHARED_KEY_LITE_POLICY,
    sendRequest(request, next) {
      sign(request);
      return next(request);
    },
  };
}
