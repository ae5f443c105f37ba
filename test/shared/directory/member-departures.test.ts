// When a change that takes members out of a view records them: before it commits, again when it committed late, never
// for a change that takes nobody out; and which writes of a person take it out of some view.
import { describe, expect, it } from 'vitest';
import { DEPARTURE_MARGIN_MS, DEPARTURE_RETENTION_MS, leavesSomeView, MAX_DEPARTURE_LAG_MS, MemberDepartures } from '../../../shared/directory/member-departures.js';
import type { PersonRecord } from '../../../shared/directory/model/person-record.js';
import type { DepartureStore } from '../../../shared/directory/model/stores.js';

/** A departures store that logs its calls, with a clock the test moves. */
function logged(): { store: DepartureStore; log: string[]; clock: { ms: number } } {
  const log: string[] = [];
  const clock = { ms: 1_000_000_000 };
  const store: DepartureStore = {
    record: (ids, at) => Promise.resolve(void log.push(`record ${ids.join(',')} at ${at}`)),
    since: (from) => Promise.resolve(void log.push(`since ${from}`)).then(() => new Set<string>()),
    pruneBefore: (before, rows) => Promise.resolve(void log.push(`prune before ${before}, ${rows} rows`)),
  };
  return { store, log, clock };
}

describe('MemberDepartures', () => {
  it('records the members before the commit runs, and prunes at most once in ten minutes', async () => {
    const { store, log, clock } = logged();
    const departures = new MemberDepartures(store, () => clock.ms);
    await departures.around(['p1'], () => Promise.resolve(void log.push('commit')));
    clock.ms += 60_000;
    await departures.around(['p2', 'g1'], () => Promise.resolve(void log.push('commit')));
    expect(log).toEqual(['record p1 at 1000000000', 'commit', `prune before ${1_000_000_000 - DEPARTURE_RETENTION_MS}, 1000 rows`, 'record p2,g1 at 1000060000', 'commit']);
  });

  it('records them again after a commit that came more than the lag after the first record', async () => {
    const { store, log, clock } = logged();
    const departures = new MemberDepartures(store, () => clock.ms);
    await departures.around(['p1'], () => {
      clock.ms += MAX_DEPARTURE_LAG_MS + 1;
      return Promise.resolve(void log.push('commit'));
    });
    expect(log.slice(0, 3)).toEqual(['record p1 at 1000000000', 'commit', `record p1 at ${1_000_000_000 + MAX_DEPARTURE_LAG_MS + 1}`]);
  });

  it('records nothing for a change that takes nobody out, and nothing when the record fails (the commit does not run)', async () => {
    const { store, log } = logged();
    await new MemberDepartures(store).around([], () => Promise.resolve(void log.push('commit')));
    expect(log).toEqual(['commit']);
    const failing: DepartureStore = { ...store, record: () => Promise.reject(new Error('storage down')) };
    await expect(new MemberDepartures(failing).around(['p1'], () => Promise.resolve(void log.push('second commit')))).rejects.toThrow('storage down');
    expect(log).toEqual(['commit']);
  });

  it('reads from the start of the trust window less the margin', async () => {
    const { store, log } = logged();
    await new MemberDepartures(store).since(10_000_000);
    expect(log).toEqual([`since ${10_000_000 - DEPARTURE_MARGIN_MS}`]);
  });
});

describe('leavesSomeView', () => {
  const at = '2026-01-01T00:00:00.000Z';
  const source = { doc: { userName: 'a@contoso.com' }, created: at, lastModified: at };
  const person = (parts: Partial<PersonRecord>): PersonRecord => ({ id: 'p', sources: {}, nameKeys: [], version: 1, created: at, ...parts });
  const cm = { username: 'a', upn: 'a@contoso.com', createdBy: 'admin', created: at, lastModified: at };

  it('is true when a live record is deleted or removed, or the Content Manager part goes, or the person goes', () => {
    expect(leavesSomeView(person({ sources: { i1: source } }), person({ sources: { i1: { ...source, deleted: true } } }))).toBe(true);
    expect(leavesSomeView(person({ sources: { i1: source, i2: source } }), person({ sources: { i2: source } }))).toBe(true);
    expect(leavesSomeView(person({ cm, sources: { i1: source } }), person({ sources: { i1: source } }))).toBe(true);
    expect(leavesSomeView(person({ cm }), person({ cm, sources: { i1: { ...source, deleted: true } } }))).toBe(true);
    expect(leavesSomeView(person({ sources: { i1: source } }), undefined)).toBe(true);
  });

  it('is false when every view that showed the person still does, or nobody saw it', () => {
    expect(leavesSomeView(person({ sources: { i1: source } }), person({ sources: { i1: { ...source, doc: { userName: 'b@contoso.com' } } } }))).toBe(false);
    expect(leavesSomeView(person({ cm, sources: { i1: { ...source, deleted: true } } }), person({ cm, sources: { i1: source } }))).toBe(false);
    expect(leavesSomeView(person({ sources: { i1: source } }), person({ cm, sources: { i1: source } }))).toBe(false);
    expect(leavesSomeView(person({ sources: { i1: { ...source, deleted: true } } }), undefined)).toBe(false);
  });
});
