// Keeps the value index in step with people's documents: after each person write, the rows of every targeting
// attribute whose values the write changed are added and removed. Two writers of one person may finish their index
// writes in either order, so each settles: it writes the rows of the state it knows, reads the person again, and
// writes again from the newer state until the person stays as it was read. Whoever finishes last wrote the rows of the
// final state after that state was stored, and removed every value it saw on the way; the other writer's rows are of
// older states it also saw, so none outlives its value.
import { ConcurrentUpdateError } from '../../storage/storage-errors.js';
import type { PersonRecord } from '../model/person-record.js';
import type { PeopleStore } from '../model/stores.js';
import type { TargetingAttributeRecord, ValueIndexStore, ValueRow } from '../model/targeting-attribute.js';
import type { PersonWriteObserver } from '../person-store.js';
import { liveSource } from '../user-view.js';
import { valuesAt } from './attribute-values.js';
import type { TargetingDefinitionCache } from './definition-cache.js';

const MAX_SETTLE_ROUNDS = 8;

/** The person's values of the attribute: those of its live document from the attribute's source. */
export function personValues(person: PersonRecord | undefined, attribute: Pick<TargetingAttributeRecord, 'integrationId' | 'path'>): string[] {
  return person === undefined ? [] : valuesAt(liveSource(person, attribute.integrationId)?.doc, attribute.path);
}

const rowsOf = (person: PersonRecord | undefined, attributes: TargetingAttributeRecord[]): ValueRow[] =>
  attributes.flatMap((attribute) => personValues(person, attribute).map((value) => ({ attributeId: attribute.id, value })));
const rowId = (row: ValueRow): string => `${row.attributeId}\n${row.value}`;

export class TargetingValueIndexer implements PersonWriteObserver {
  constructor(
    private readonly definitions: Pick<TargetingDefinitionCache, 'list'>,
    private readonly index: Pick<ValueIndexStore, 'change'>,
    private readonly people: Pick<PeopleStore, 'getById'>,
  ) {}

  async written(id: string, before: PersonRecord | undefined, after: PersonRecord | undefined): Promise<void> {
    const attributes = await this.definitions.list();
    const changed = attributes.filter((attribute) => personValues(before, attribute).join('\n') !== personValues(after, attribute).join('\n'));
    if (changed.length > 0) await this.settle(id, changed, before, after);
  }

  private async settle(id: string, attributes: TargetingAttributeRecord[], before: PersonRecord | undefined, after: PersonRecord | undefined): Promise<void> {
    const seen = new Map(rowsOf(before, attributes).map((row) => [rowId(row), row]));
    let current = after;
    for (let round = 0; round < MAX_SETTLE_ROUNDS; round++) {
      const wanted = rowsOf(current, attributes);
      const wantedIds = new Set(wanted.map(rowId));
      await this.index.change(id, wanted, [...seen.values()].filter((row) => !wantedIds.has(rowId(row))));
      for (const row of wanted) seen.set(rowId(row), row);
      const again = await this.people.getById(id);
      if (again?.version === current?.version) return;
      current = again;
    }
    throw new ConcurrentUpdateError(`targeting values of person ${id} keep changing`);
  }
}
