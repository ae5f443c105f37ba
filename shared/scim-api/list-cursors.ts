// Where the next page of a scanned /Users list starts. Account Discovery and Entra's paging walk a list page after
// page (startIndex 1, 101, 201, …); remembering where each page ended lets the next page resume there instead of
// scanning from the start, so walking n users costs O(n) reads instead of O(n²/page). Per instance and short-lived:
// a miss (another instance, an expired walk) only costs a scan.
import type { ScanPosition } from '../directory/person-directory.js';

interface Walk {
  totalResults: number;
  positions: Map<number, ScanPosition>;
  expiresAt: number;
}

/** How long a walk's totals and positions are trusted. */
export const LIST_CURSOR_TTL_MS = 60_000;
const MAX_WALKS = 200;
const MAX_POSITIONS_PER_WALK = 10_000;

export class ListCursors {
  private readonly walks = new Map<string, Walk>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The position where `startIndex` begins, and the total counted when the walk started. */
  find(key: string, startIndex: number): { position: ScanPosition; totalResults: number } | undefined {
    const walk = this.walks.get(key);
    if (walk === undefined || walk.expiresAt < this.now()) return undefined;
    const position = walk.positions.get(startIndex);
    return position === undefined ? undefined : { position, totalResults: walk.totalResults };
  }

  /** Starts (or restarts) a walk with a freshly counted total. */
  start(key: string, totalResults: number): void {
    this.walks.delete(key);
    if (this.walks.size >= MAX_WALKS) this.walks.delete(this.walks.keys().next().value as string);
    this.walks.set(key, { totalResults, positions: new Map(), expiresAt: this.now() + LIST_CURSOR_TTL_MS });
  }

  remember(key: string, startIndex: number, position: ScanPosition): void {
    const walk = this.walks.get(key);
    if (walk === undefined || walk.positions.size >= MAX_POSITIONS_PER_WALK) return;
    walk.positions.set(startIndex, position);
    walk.expiresAt = this.now() + LIST_CURSOR_TTL_MS;
  }
}
