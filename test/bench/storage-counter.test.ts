// The bench's storage counter names a transaction's table from its body, so the provisioning log's background
// batches are told apart from a request's own.
import { describe, expect, it } from 'vitest';
import { batchTableOf, describeRequest } from '../../bench/storage-counter.js';

describe('storage counter', () => {
  it('names the table of a transaction from its first operation', () => {
    const body = ['--batch_1', 'Content-Type: multipart/mixed; boundary=changeset_1', '', '--changeset_1', 'Content-Type: application/http', '', 'POST http://127.0.0.1:1/devstoreaccount1/benchprovisioninglog HTTP/1.1', ''].join('\r\n');
    expect(batchTableOf(body)).toBe(' provisioninglog');
    expect(batchTableOf('PATCH http://h/devstoreaccount1/benchpeople(PartitionKey=\'b0\',RowKey=\'p:1\') HTTP/1.1')).toBe(' people');
    expect(batchTableOf('no request line')).toBe('');
    expect(describeRequest('POST', '/devstoreaccount1/$batch')).toBe('POST $batch');
  });
});
