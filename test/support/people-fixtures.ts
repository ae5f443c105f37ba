// Person records and key-row helpers shared by the PeopleRepository tests: people whose ids sit in chosen buckets, so a
// name key is either a co-located copy or a pointer, and direct reads of key rows.
import { randomBytes } from 'node:crypto';
import { bucketOf, caseFoldKey } from '../../shared/storage/keys.js';
import { newPersonId } from '../../shared/storage/people-repository.js';
import type { PersonRecord } from '../../shared/directory/model/person-record.js';
import type { TableClients } from '../../shared/storage/table-clients.js';

export const NOW = '2025-01-01T00:00:00.000Z';

let counter = 0;
/** A case-folded name key that is unique within the test run's process. */
export function uniqueKey(label: string): string {
  return caseFoldKey(`${label}-${counter++}-${randomBytes(3).toString('hex')}@Contoso.com`);
}

/** A unique name key whose bucket differs from `bucket`, so its key row is a pointer for a person in `bucket`. */
export function keyOutsideBucket(label: string, bucket: string): string {
  for (;;) {
    const key = uniqueKey(label);
    if (bucketOf(key) !== bucket) return key;
  }
}

/** An id in a given bucket (people ids start with their bucket). */
export const idInBucket = (bucket: string): string => bucket + randomBytes(15).toString('hex');
/** A bucket that differs from `bucket`. */
export const otherBucket = (bucket: string): string => (bucket === '00' ? '01' : '00');

/** A Content Manager user holding UPN key `upnKey` (and `extra` name keys), whose id is co-located with `upnKey`. */
export function cmPerson(upnKey: string, options: { id?: string; extra?: string[]; username?: string } = {}): PersonRecord {
  const username = options.username ?? `login-${randomBytes(4).toString('hex')}`;
  return {
    id: options.id ?? newPersonId(upnKey),
    cm: { username, upn: upnKey, createdBy: 'admin', created: NOW, lastModified: NOW },
    sources: {},
    nameKeys: [upnKey, ...(options.extra ?? [])],
    usernameKey: caseFoldKey(username),
    version: 1,
    created: NOW,
  };
}

export function stagedPerson(nameKey: string, id: string, source = 'int1'): PersonRecord {
  return {
    id,
    sources: { [source]: { doc: { userName: nameKey }, created: NOW, lastModified: NOW } },
    nameKeys: [nameKey],
    version: 1,
    created: NOW,
  };
}

export async function readKeyRow(tables: TableClients, kind: 'u' | 'n', key: string): Promise<Record<string, unknown> | undefined> {
  try {
    return await tables.people.getEntity<Record<string, unknown>>(`b${bucketOf(key)}`, `${kind}:${key}`);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}
