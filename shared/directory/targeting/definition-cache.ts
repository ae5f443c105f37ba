// The targeting attribute definitions, as every person write checks them: read once and kept for a short time, so a
// write costs no extra storage call. A definition created or deleted in this process is seen at once (invalidate);
// another process sees it within DEFINITION_CACHE_MS, a window the backfill covers (targeting-attributes.ts).
import type { TargetingAttributeRecord, TargetingAttributeStore } from '../model/targeting-attribute.js';

export const DEFINITION_CACHE_MS = 30_000;

export class TargetingDefinitionCache {
  private cached: { at: number; records: Promise<TargetingAttributeRecord[]> } | undefined;

  constructor(
    private readonly store: Pick<TargetingAttributeStore, 'list'>,
    private readonly now: () => number = Date.now,
  ) {}

  list(): Promise<TargetingAttributeRecord[]> {
    const now = this.now();
    if (this.cached === undefined || now - this.cached.at > DEFINITION_CACHE_MS) {
      const records = this.store.list();
      this.cached = { at: now, records };
      records.catch(() => {
        if (this.cached?.records === records) this.cached = undefined;
      });
    }
    return this.cached.records;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
