// Deleting an integration with everything it imported, bounded and resumable (an integration may have 100,000 users):
//   1. start: after the caller confirmed it by the display name, the row is marked deleting (ETag-guarded): SCIM
//      refuses its token from then on (on other instances once their cached row expires), a Graph integration is
//      disabled, the admin list shows it deleting;
//   2. a quiet period (the authentication cache plus requests still in flight) lets every write it accepted finish;
//   3. its targeting attributes go with their index rows (targeting/targeting-attributes.ts); then its groups,
//      memberships, index rows, catalog and scoped name pointers go by key range (storage's
//      IntegrationRowsPurge); then its record is removed from each person it wrote (its Content Manager users too,
//      as when it deletes them), a page at a time; then the key ranges once more; then its secrets, then the row.
// Each page writes its progress to the row, guarded by the ETag, so two runners never both advance it and a restart
// goes on from the last page written. Every step is idempotent: a page redone after a crash changes nothing twice.
import type { SecretStore } from '../secrets/secret-store.js';
import { ConcurrentUpdateError } from '../storage/storage-errors.js';
import { forEachBounded } from '../storage/transactions.js';
import { InvalidValueError, NotFoundError } from './errors.js';
import { AUTH_CACHE_MS, updateGuarded } from './integrations.js';
import type { IntegrationRecord } from './model/integration-record.js';
import type { IntegrationRowsPurge, IntegrationStore, PeopleStore } from './model/stores.js';
import { retryConcurrentUpdates } from './write-retries.js';

/** Wait after the mark before removing anything: the authentication cache, plus requests accepted just before it. */
export const DELETION_QUIET_MS = AUTH_CACHE_MS + 90_000;

export type DeletionPhase = 'targeting' | 'rows' | 'people' | 'leftovers' | 'secrets';

/** What a deletion has done so far, kept on the integration's row. */
export interface DeletionProgress {
  /** When the delete was confirmed (ISO time). */
  since: string;
  phase: DeletionPhase;
  /** Where the next page of people starts. */
  peopleToken?: string;
  /** The key range the purge of rows goes on in (IntegrationRowsPurge). */
  range?: number;
  people: number;
  rows: number;
}

export type DeletionOutcome = 'deleted' | 'waiting' | 'unfinished' | 'notDeleting';

export interface IntegrationDeletionOptions {
  now?: () => number;
  /** People read per page (each is then rewritten, a few at a time). */
  peoplePageSize?: number;
  /** Rows deleted per key-range page. */
  rowsPageSize?: number;
  /** People rewritten at once. */
  concurrency?: number;
}

/** What deleting needs of the person directory: forgetting one integration's record of a person. */
export interface SourceForgetter {
  forgetSource(integrationId: string, id: string): Promise<void>;
}

/** What deleting needs of targeting: removing the integration's targeting attributes and their index rows. */
export interface TargetingCleanup {
  deleteForIntegration(integrationId: string): Promise<number>;
}

export function progressOf(record: IntegrationRecord): DeletionProgress | undefined {
  if (record.status !== 'deleting' || record.deletion === undefined) return undefined;
  return JSON.parse(record.deletion) as DeletionProgress;
}

export class IntegrationDeletion {
  private readonly now: () => number;
  private readonly peoplePageSize: number;
  private readonly rowsPageSize: number;
  private readonly concurrency: number;

  constructor(
    private readonly integrations: IntegrationStore,
    private readonly people: Pick<PeopleStore, 'pageWithSource'>,
    private readonly directory: SourceForgetter,
    private readonly purge: IntegrationRowsPurge,
    private readonly targeting: TargetingCleanup,
    private readonly secrets: SecretStore,
    options: IntegrationDeletionOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.peoplePageSize = options.peoplePageSize ?? 100;
    this.rowsPageSize = options.rowsPageSize ?? 500;
    this.concurrency = options.concurrency ?? 8;
  }

  /**
   * Marks the integration deleting once `confirmDisplayName` is its display name; a second call finds it marked and
   * answers it unchanged. NotFoundError for an unknown integration, InvalidValueError for a wrong confirmation.
   */
  async start(id: string, confirmDisplayName: string): Promise<IntegrationRecord> {
    return retryConcurrentUpdates(`integration ${id}`, async () => {
      const record = await this.integrations.get(id);
      if (record === undefined) throw new NotFoundError(`Integration ${id} not found`);
      if (record.status === 'deleting') return record;
      if (confirmDisplayName !== record.displayName) {
        throw new InvalidValueError('confirmDisplayName', 'confirmDisplayName must be the integration\'s display name exactly, to confirm the deletion of everything it imported.');
      }
      const since = new Date(this.now()).toISOString();
      const progress: DeletionProgress = { since, phase: 'targeting', people: 0, rows: 0 };
      return updateGuarded(this.integrations, {
        ...record,
        status: 'deleting',
        deletion: JSON.stringify(progress),
        lastModified: since,
        ...(record.method === 'graph' ? { enabled: false } : {}),
      });
    });
  }

  /**
   * Goes on with the deletion until it is done or `deadline` (epoch ms) has passed: 'deleted' when the row is gone,
   * 'waiting' within the quiet period, 'unfinished' when time ran out or another runner is at it.
   */
  async continue(id: string, deadline: number): Promise<DeletionOutcome> {
    let record = await this.integrations.get(id);
    if (record === undefined) return 'deleted';
    let progress = progressOf(record);
    if (progress === undefined) return 'notDeleting';
    if (this.now() < Date.parse(progress.since) + DELETION_QUIET_MS) return 'waiting';
    while (this.now() < deadline) {
      if (progress.phase === 'secrets') {
        await this.removeSecrets(record);
        try {
          await this.integrations.delete(id, record.etag);
        } catch {
          // Deleted by another runner meanwhile, or changed by one (its own pass ends the work).
          return (await this.integrations.get(id)) === undefined ? 'deleted' : 'unfinished';
        }
        return 'deleted';
      }
      progress = await this.step(id, progress);
      try {
        record = await updateGuarded(this.integrations, { ...record, deletion: JSON.stringify(progress) });
      } catch (error) {
        if (error instanceof ConcurrentUpdateError) return 'unfinished';
        throw error;
      }
    }
    return 'unfinished';
  }

  /** Goes on with every integration being deleted, one after the other, until `deadline`. */
  async continueAll(deadline: number): Promise<Record<string, DeletionOutcome>> {
    const outcomes: Record<string, DeletionOutcome> = {};
    for (const record of await this.integrations.list()) {
      if (record.status !== 'deleting') continue;
      if (this.now() >= deadline) {
        outcomes[record.id] = 'unfinished';
        continue;
      }
      outcomes[record.id] = await this.continue(record.id, deadline);
    }
    return outcomes;
  }

  /** One bounded page of the current phase; answers the progress after it. */
  private async step(id: string, progress: DeletionProgress): Promise<DeletionProgress> {
    if (progress.phase === 'targeting') {
      await this.targeting.deleteForIntegration(id);
      return { ...progress, phase: 'rows' };
    }
    if (progress.phase === 'people') {
      const page = await this.people.pageWithSource(id, { pageSize: this.peoplePageSize, ...(progress.peopleToken === undefined ? {} : { continuationToken: progress.peopleToken }) });
      await forEachBounded(page.items, this.concurrency, (person) => this.directory.forgetSource(id, person.id));
      const { peopleToken: _done, ...rest } = progress;
      const people = progress.people + page.items.length;
      return page.continuationToken === undefined ? { ...rest, people, phase: 'leftovers' } : { ...rest, people, peopleToken: page.continuationToken };
    }
    const { deleted, range } = await this.purge.purgeNext(id, this.rowsPageSize, progress.range ?? 0);
    if (deleted > 0) return { ...progress, rows: progress.rows + deleted, range };
    const { range: _done, ...rest } = progress;
    return { ...rest, phase: progress.phase === 'rows' ? 'people' : 'secrets' };
  }

  private async removeSecrets(record: IntegrationRecord): Promise<void> {
    for (const name of [record.tokenSecretName, record.clientSecretName]) {
      if (name !== undefined && name !== '') await this.secrets.delete(name);
    }
  }
}
