// Serialising a PersonRecord to Table Storage properties and back. Each source's JSON is split over properties of at
// most 30,000 characters (a property holds 64 KiB of UTF-16), so one source can never overflow the row.
import type { ContentManagerPart, PersonRecord, SourcePart } from './person-record.js';

const CHUNK_CHARS = 30_000;
/** Most characters one source's document may take; beyond it a write is refused (413 on SCIM routes). */
export const MAX_SOURCE_JSON_CHARS = 3 * CHUNK_CHARS;
const SOURCE_PREFIX = 's_';
const CHUNK_SEPARATOR = '__';
const SOURCE_ID_PATTERN = /^[a-z0-9]{1,64}$/;

export class RecordTooLargeError extends Error {
  constructor(readonly sourceId: string) {
    super(`the data of source ${sourceId} exceeds ${MAX_SOURCE_JSON_CHARS} characters`);
    this.name = 'RecordTooLargeError';
  }
}

export type PersonProperties = Record<string, string | number | boolean>;

export function personToProperties(person: PersonRecord): PersonProperties {
  const props: PersonProperties = {
    id: person.id,
    v: person.version,
    created: person.created,
    nameKeys: JSON.stringify(person.nameKeys),
    hasCm: person.cm !== undefined,
  };
  if (person.cm !== undefined) props.cm = JSON.stringify(person.cm);
  if (person.usernameKey !== undefined) props.usernameKey = person.usernameKey;
  for (const [sourceId, part] of Object.entries(person.sources)) {
    if (!SOURCE_ID_PATTERN.test(sourceId)) throw new Error(`invalid source id ${sourceId}`);
    const json = JSON.stringify(part);
    if (json.length > MAX_SOURCE_JSON_CHARS) throw new RecordTooLargeError(sourceId);
    for (let i = 0, chunk = 0; i < json.length; i += CHUNK_CHARS, chunk++) {
      const name = chunk === 0 ? `${SOURCE_PREFIX}${sourceId}` : `${SOURCE_PREFIX}${sourceId}${CHUNK_SEPARATOR}${chunk}`;
      props[name] = json.slice(i, i + CHUNK_CHARS);
    }
  }
  return props;
}

export function personFromEntity(entity: Record<string, unknown>): PersonRecord {
  const chunks = new Map<string, string[]>();
  for (const [name, value] of Object.entries(entity)) {
    if (!name.startsWith(SOURCE_PREFIX) || typeof value !== 'string') continue;
    const [sourceId = '', index = '0'] = name.slice(SOURCE_PREFIX.length).split(CHUNK_SEPARATOR);
    const parts = chunks.get(sourceId) ?? [];
    parts[Number(index)] = value;
    chunks.set(sourceId, parts);
  }
  const sources: Record<string, SourcePart> = {};
  for (const [sourceId, parts] of chunks) sources[sourceId] = JSON.parse(parts.join('')) as SourcePart;
  const person: PersonRecord = {
    id: String(entity.id),
    sources,
    nameKeys: JSON.parse(typeof entity.nameKeys === 'string' ? entity.nameKeys : '[]') as string[],
    version: Number(entity.v ?? 0),
    created: typeof entity.created === 'string' ? entity.created : '',
  };
  if (typeof entity.cm === 'string') person.cm = JSON.parse(entity.cm) as ContentManagerPart;
  if (typeof entity.usernameKey === 'string') person.usernameKey = entity.usernameKey;
  if (typeof entity.etag === 'string') person.etag = entity.etag;
  return person;
}
