// Targeting attributes: an admin picks a data source (integration) and one of the attribute paths it imported (its
// catalog), names it and switches it on. Values are indexed for every attribute, enabled or not (switching one on
// needs no re-index); only enabled ones may be used in an audience.
//
// Backfill: a new attribute starts with the people the source wrote before it existed unindexed. backfillStep reads one
// page of people (BACKFILL_PAGE_SIZE, from the position stored on the definition), adds their rows and stores the next
// position, so the job is bounded per call and resumes where the last call stopped, in this process or another; the
// admin page (or any caller) repeats it until the status is `done`. Writes after the attribute exists are indexed by
// the write path (value-indexer.ts). A write in another instance within DEFINITION_CACHE_MS of the creation may not
// know the attribute yet; restarting the backfill (restart: true) indexes such a person again.
import { randomBytes } from 'node:crypto';
import { ConcurrentUpdateError, KeyTakenError } from '../../storage/storage-errors.js';
import { InvalidValueError, NameTakenError, NotFoundError } from '../errors.js';
import type { PersonRecord } from '../model/person-record.js';
import type { CatalogStore, PeopleStore } from '../model/stores.js';
import type { TargetingAttributeRecord, TargetingAttributeStore, ValueIndexStore } from '../model/targeting-attribute.js';
import { retryConcurrentUpdates } from '../write-retries.js';
import { attributeLabel } from './attribute-label.js';
import type { TargetingDefinitionCache } from './definition-cache.js';
import { personValues } from './value-indexer.js';

/** People read per backfill step. */
export const BACKFILL_PAGE_SIZE = 500;
/** People read for the sample values of a source's attributes. */
const SAMPLE_PEOPLE = 200;
const SAMPLES_PER_PATH = 5;

export interface TargetingAttributeView extends Omit<TargetingAttributeRecord, 'etag' | 'backfill'> {
  label: string;
  backfill: { status: 'pending' | 'done'; indexedPeople: number };
}

export interface NewTargetingAttribute {
  name: string;
  integrationId: string;
  path: string;
  enabled: boolean;
}

export interface DataSourceAttribute {
  path: string;
  label: string;
  type: string;
  sampleValues: string[];
}

const nameTaken = (name: string): NameTakenError => new NameTakenError(`A targeting attribute named "${name}" already exists.`);

export function viewOf(record: TargetingAttributeRecord): TargetingAttributeView {
  const { etag: _etag, backfill, ...rest } = record;
  return { ...rest, label: attributeLabel(record.path), backfill: { status: backfill.status, indexedPeople: backfill.indexedPeople } };
}

export class TargetingAttributes {
  constructor(
    private readonly store: TargetingAttributeStore,
    private readonly index: ValueIndexStore,
    private readonly definitions: TargetingDefinitionCache,
    private readonly catalog: Pick<CatalogStore, 'list'>,
    private readonly people: Pick<PeopleStore, 'page'>,
    private readonly integrationExists: (id: string) => Promise<boolean>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  list(): Promise<TargetingAttributeRecord[]> {
    return this.store.list();
  }

  async require(id: string): Promise<TargetingAttributeRecord> {
    const record = await this.store.get(id);
    if (record === undefined) throw new NotFoundError(`Targeting attribute ${id} not found`);
    return record;
  }

  /** The source's catalog with labels and a few values seen on its people (read from a bounded page of people). */
  async dataSourceAttributes(integrationId: string): Promise<DataSourceAttribute[]> {
    if (!(await this.integrationExists(integrationId))) throw new NotFoundError(`Integration ${integrationId} not found`);
    const entries = await this.catalog.list(integrationId);
    const { items } = await this.people.page({ pageSize: SAMPLE_PEOPLE });
    return entries.map((entry) => {
      const samples = new Set<string>();
      for (const person of items) {
        for (const value of personValues(person, { integrationId, path: entry.path })) if (samples.size < SAMPLES_PER_PATH) samples.add(value);
      }
      return { path: entry.path, label: attributeLabel(entry.path), type: entry.type, sampleValues: [...samples] };
    });
  }

  async create(input: NewTargetingAttribute): Promise<TargetingAttributeRecord> {
    if (!(await this.integrationExists(input.integrationId))) throw new InvalidValueError('integrationId', `Integration ${input.integrationId} not found`);
    const catalogued = (await this.catalog.list(input.integrationId)).find((entry) => entry.path.toLowerCase() === input.path.toLowerCase());
    if (catalogued === undefined) throw new InvalidValueError('path', `The data source has not imported an attribute "${input.path}" (see its attribute catalog).`);
    const timestamp = this.now().toISOString();
    const record: TargetingAttributeRecord = {
      id: randomBytes(8).toString('hex'),
      name: input.name,
      integrationId: input.integrationId,
      path: catalogued.path,
      enabled: input.enabled,
      created: timestamp,
      lastModified: timestamp,
      backfill: { status: 'pending', indexedPeople: 0 },
    };
    try {
      const created = await this.store.create(record);
      this.definitions.invalidate();
      return created;
    } catch (error) {
      if (error instanceof KeyTakenError) throw nameTaken(input.name);
      throw error;
    }
  }

  /** Renames and/or switches an attribute. */
  async update(id: string, change: { name?: string; enabled?: boolean }): Promise<TargetingAttributeRecord> {
    return retryConcurrentUpdates(`targeting attribute ${id}`, async () => {
      const current = await this.require(id);
      const next = { ...current, name: change.name ?? current.name, enabled: change.enabled ?? current.enabled, lastModified: this.now().toISOString() };
      try {
        return await this.store.update(current, next);
      } catch (error) {
        if (error instanceof KeyTakenError) throw nameTaken(next.name);
        throw error;
      }
    });
  }

  /** Deletes the definition, then its index rows (a retried delete of a definition already gone still clears them). */
  async delete(id: string): Promise<void> {
    const record = await this.store.get(id);
    if (record !== undefined) {
      await retryConcurrentUpdates(`targeting attribute ${id}`, async (attempt) => this.store.delete(attempt === 0 ? record : await this.require(id)));
    }
    this.definitions.invalidate();
    await this.index.removeAttribute(id);
    if (record === undefined) throw new NotFoundError(`Targeting attribute ${id} not found`);
  }

  /** Deletes every targeting attribute of a data source with its index rows (the source itself is being deleted). */
  async deleteForIntegration(integrationId: string): Promise<number> {
    const attributes = (await this.store.list()).filter((attribute) => attribute.integrationId === integrationId);
    for (const attribute of attributes) {
      await this.delete(attribute.id).catch((error: unknown) => {
        if (!(error instanceof NotFoundError)) throw error;
      });
    }
    return attributes.length;
  }

  /** One bounded step of the backfill (see the top of this file); `restart` begins again from the first person. */
  async backfillStep(id: string, options: { restart?: boolean; pageSize?: number } = {}): Promise<TargetingAttributeRecord> {
    let current = await this.require(id);
    if (options.restart === true) {
      current = await retryConcurrentUpdates(`targeting attribute ${id}`, async (attempt) => {
        const read = attempt === 0 ? current : await this.require(id);
        return this.store.update(read, { ...read, backfill: { status: 'pending', indexedPeople: 0 } });
      });
    }
    if (current.backfill.status === 'done') return current;
    const { continuationToken } = current.backfill;
    const page = await this.people.page({ pageSize: options.pageSize ?? BACKFILL_PAGE_SIZE, ...(continuationToken === undefined ? {} : { continuationToken }) });
    const rows = page.items.flatMap((person: PersonRecord) => personValues(person, current).map((value) => ({ attributeId: id, value, personId: person.id })));
    await this.index.addMany(rows);
    const indexed = page.items.filter((person) => personValues(person, current).length > 0).length;
    const backfill = page.continuationToken === undefined
      ? { status: 'done' as const, indexedPeople: current.backfill.indexedPeople + indexed }
      : { status: 'pending' as const, indexedPeople: current.backfill.indexedPeople + indexed, continuationToken: page.continuationToken };
    try {
      return await this.store.update(current, { ...current, backfill });
    } catch (error) {
      // Another step moved on meanwhile (its rows are in as well): answer where it is.
      if (error instanceof ConcurrentUpdateError) return this.require(id);
      throw error;
    }
  }

  /** The person's values of every targeting attribute (enabled or not). */
  async valuesOf(person: PersonRecord): Promise<{ id: string; name: string; enabled: boolean; integrationId: string; values: string[] }[]> {
    return (await this.store.list()).map((attribute) => ({ id: attribute.id, name: attribute.name, enabled: attribute.enabled, integrationId: attribute.integrationId, values: personValues(person, attribute) }));
  }
}
