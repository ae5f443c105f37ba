// The data-source attribute catalog: every attribute path an integration has written, with its type and when it was
// last seen. Writes are throttled in memory: a path already recorded within the refresh interval costs nothing.
import type { CatalogEntry, CatalogStore } from './model/stores.js';

/** How stale `lastSeen` may get before a write refreshes it. */
export const CATALOG_REFRESH_MS = 60 * 60 * 1000;
const MAX_REMEMBERED_PATHS = 50_000;

/** One attribute a source wrote: its path in the source's own notation and its type. */
export interface CatalogAttribute {
  path: string;
  type: string;
}

export class AttributeCatalog {
  private readonly recorded = new Map<string, number>();

  constructor(
    private readonly repository: CatalogStore,
    private readonly now: () => number = Date.now,
  ) {}

  async record(integrationId: string, attributes: readonly CatalogAttribute[]): Promise<void> {
    const now = this.now();
    const due = attributes.filter((attribute) => {
      const seen = this.recorded.get(`${integrationId}|${attribute.path.toLowerCase()}|${attribute.type}`);
      return seen === undefined || now - seen > CATALOG_REFRESH_MS;
    });
    if (due.length === 0) return;
    await this.repository.record(integrationId, due, new Date(now).toISOString());
    if (this.recorded.size > MAX_REMEMBERED_PATHS) this.recorded.clear();
    for (const attribute of due) this.recorded.set(`${integrationId}|${attribute.path.toLowerCase()}|${attribute.type}`, now);
  }

  list(integrationId: string): Promise<CatalogEntry[]> {
    return this.repository.list(integrationId);
  }
}
