// Serialising a PersonRecord to Table Storage properties and back. Each source's JSON is split over properties of at
// most 30,000 characters (a property holds 64 KiB of UTF-16), so one source can never overflow a property; all
// sources together share the row's 1 MiB and 252 properties, checked here so a write is refused before anything of
// it is sent.
import type { ContentManagerPart, PersonRecord, SourcePart } from '../directory/model/person-record.js';
import { ENTITY_BYTES_BUDGET, entitySizeInBytes, MAX_CUSTOM_PROPERTIES } from './entity-limits.js';

const CHUNK_CHARS = 30_000;
/** Most characters one source's document may take; beyond it a write is refused (413 on SCIM routes). */
export const MAX_SOURCE_JSON_CHARS = 3 * CHUNK_CHARS;
const SOURCE_PREFIX = 's_';
const CHUNK_SEPARATOR = '__';
const SOURCE_ID_PATTERN = /^[a-z0-9]{1,64}$/;
/**
 * What a key row's keys and `ref` add to the person's properties (a key row copies them): PartitionKey `bXX`, RowKey
 * `u:` + a key of at most 256 characters, an id of at most 64.
 */
const KEY_ROW_ALLOWANCE_BYTES = 1024;

/** The property holding (the first chunk of) a source's record. */
export const sourcePropertyOf = (sourceId: string): string => `${SOURCE_PREFIX}${sourceId}`;

/** A person that does not fit one row; the message is fit to show a caller (it quotes no value). */
export class RecordTooLargeError extends Error {
  constructor(
    readonly sourceId: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'RecordTooLargeError';
  }
}

/** Throws RecordTooLargeError when the properties, with a key row's keys, exceed Azure's entity limits. */
function assertRowFits(props: PersonProperties): void {
  const bytes = entitySizeInBytes(props) + KEY_ROW_ALLOWANCE_BYTES;
  if (bytes > ENTITY_BYTES_BUDGET || Object.keys(props).length + 1 > MAX_CUSTOM_PROPERTIES) {
    throw new RecordTooLargeError(
      undefined,
      `The user's data from all data sources together is too large to store (at most ${ENTITY_BYTES_BUDGET.toLocaleString('en-US')} bytes as Azure Table Storage counts them, in at most ${MAX_CUSTOM_PROPERTIES} properties).`,
    );
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
  if (person.scopedKeys !== undefined && person.scopedKeys.length > 0) props.scopedKeys = JSON.stringify(person.scopedKeys);
  if (person.stagedUpn !== undefined) props.stagedUpn = person.stagedUpn;
  for (const [sourceId, part] of Object.entries(person.sources)) {
    if (!SOURCE_ID_PATTERN.test(sourceId)) throw new Error(`invalid source id ${sourceId}`);
    const json = JSON.stringify(part);
    if (json.length > MAX_SOURCE_JSON_CHARS) {
      throw new RecordTooLargeError(sourceId, `The user resource is too large to store (limit: ${MAX_SOURCE_JSON_CHARS.toLocaleString('en-US')} characters per data source).`);
    }
    for (let i = 0, chunk = 0; i < json.length; i += CHUNK_CHARS, chunk++) {
      const name = chunk === 0 ? `${SOURCE_PREFIX}${sourceId}` : `${SOURCE_PREFIX}${sourceId}${CHUNK_SEPARATOR}${chunk}`;
      props[name] = json.slice(i, i + CHUNK_CHARS);
    }
  }
  assertRowFits(props);
  return props;
}

/** Throws RecordTooLargeError when the person would not fit its row; lets a write refuse before its first row. */
export function assertPersonFits(person: PersonRecord): void {
  personToProperties(person);
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
  if (typeof entity.scopedKeys === 'string') person.scopedKeys = JSON.parse(entity.scopedKeys) as string[];
  if (typeof entity.stagedUpn === 'string') person.stagedUpn = entity.stagedUpn;
  if (typeof entity.etag === 'string') person.etag = entity.etag;
  return person;
}
