// A model of the directory for the concurrent-history tests: people (Content Manager part, per-integration source
// parts), groups and memberships, with today's rules written once each: who sees whom, which keys must be unique,
// and what `userName eq` finds. `applyOp` is one operation applied atomically; a history is correct when its
// acknowledged operations, applied in some order consistent with real time, give the answers and the final state
// that were observed (see history-check.ts).

/** Three integrations: two that only match Content Manager users, one that creates them. */
export const INTEGRATIONS = ['A', 'B', 'C'] as const;
export type Integration = (typeof INTEGRATIONS)[number];
export const MODE_OF: Record<Integration, 'matchOnly' | 'create'> = { A: 'matchOnly', B: 'matchOnly', C: 'create' };

/** A small name space so that collisions are frequent. */
export const USER_NAMES = ['n0@contoso.com', 'n1@contoso.com', 'n2@contoso.com', 'n3@contoso.com'] as const;
export const GROUP_NAMES = ['Group 0', 'Group 1'] as const;
/** Content Manager usernames for admin imports; the last one is also a userName, so create-mode users clash with it. */
export const USERNAMES = ['adm0', 'adm1', USER_NAMES[0]] as const;

/** An operation as generated: users and groups are named by their position in the pools of ids seen so far. */
export type Op =
  | { kind: 'userPost'; by: Integration; name: number; upper: boolean }
  | { kind: 'userRename'; by: Integration; user: number; name: number; put: boolean }
  | { kind: 'userDelete'; by: Integration; user: number }
  | { kind: 'import'; username: number; upn: number; upper: boolean }
  | { kind: 'groupPost'; by: Integration; name: number; members: number[] }
  | { kind: 'groupMembers'; by: Integration; group: number; members: number[]; remove: boolean }
  | { kind: 'groupRename'; by: Integration; group: number; name: number }
  | { kind: 'groupDelete'; by: Integration; group: number };

/** An operation with its targets resolved to real ids (what was sent). */
export type ResolvedOp =
  | { kind: 'userPost'; by: Integration; userName: string }
  | { kind: 'userRename'; by: Integration; id: string; userName: string; put: boolean }
  | { kind: 'userDelete'; by: Integration; id: string }
  | { kind: 'import'; username: string; upn: string }
  | { kind: 'groupPost'; by: Integration; displayName: string; members: string[] }
  | { kind: 'groupMembers'; by: Integration; id: string; members: string[]; remove: boolean }
  | { kind: 'groupRename'; by: Integration; id: string; displayName: string }
  | { kind: 'groupDelete'; by: Integration; id: string };

/** What an operation answered, reduced to what the model predicts. */
export interface Answer {
  status: number;
  /** The id a 201 (or an import row) named. */
  id?: string;
  /** Import rows: created, updated, linked, unchanged, or rejected. */
  outcome?: string;
  /** Error detail or rejection reason. */
  detail?: string;
}

type SourcePart = { userName: string } | 'deleted';
export interface Person {
  id: string;
  cm?: { username: string; upn: string; createdBy: Integration | 'admin' };
  /** A staged record's organisation-wide name: the userName it was staged under. */
  stagedUpn?: string;
  sources: Partial<Record<Integration, SourcePart>>;
}
export interface Group {
  id: string;
  by: Integration;
  displayName: string;
  members: string[];
}
export interface State {
  people: Record<string, Person>;
  groups: Record<string, Group>;
}

export const emptyState = (): State => ({ people: {}, groups: {} });
const fold = (value: string): string => value.normalize('NFC').toLowerCase();
const clone = <T>(value: T): T => structuredClone(value);

export function isVisible(person: Person, by: Integration): boolean {
  const source = person.sources[by];
  if (source === 'deleted') return false;
  return source !== undefined || person.cm !== undefined;
}

/** The userName integration `by` sees for the person (its own, or the Content Manager UPN). */
export function viewUserName(person: Person, by: Integration): string | undefined {
  if (!isVisible(person, by)) return undefined;
  const source = person.sources[by];
  return source !== undefined && source !== 'deleted' ? source.userName : person.cm?.upn;
}

/** The organisation-wide name: the Content Manager UPN, or the userName a staged record was staged under. */
const sharedNameOf = (person: Person): string | undefined => person.cm?.upn ?? person.stagedUpn;

/**
 * The unique keys a person holds: its shared name (organisation-wide) and each live source's userName, unique within
 * that source's integration only.
 */
function nameKeysOf(person: Person): string[] {
  const keys = new Set<string>();
  const shared = sharedNameOf(person);
  if (shared !== undefined) keys.add(`*:${fold(shared)}`);
  for (const [by, source] of Object.entries(person.sources)) if (source !== 'deleted') keys.add(`${by}:${fold(source.userName)}`);
  return [...keys];
}

const holderOfName = (state: State, key: string): Person | undefined => Object.values(state.people).find((p) => nameKeysOf(p).includes(`*:${key}`));
const seenAs = (person: Person, by: Integration, key: string): boolean => {
  const seen = viewUserName(person, by);
  return seen !== undefined && fold(seen) === key;
};
const liveSourceOf = (person: Person, by: Integration): { userName: string } | undefined => {
  const source = person.sources[by];
  return source === undefined || source === 'deleted' ? undefined : source;
};
const holderOfUsername = (state: State, key: string): Person | undefined => Object.values(state.people).find((p) => p.cm !== undefined && fold(p.cm.username) === key);

/** Whether writing `person` would take a key another person holds (today: userNames and usernames are organisation-wide). */
function clashes(state: State, person: Person): boolean {
  return Object.values(state.people).some(
    (other) =>
      other.id !== person.id &&
      (nameKeysOf(other).some((key) => nameKeysOf(person).includes(key)) ||
        (other.cm !== undefined && person.cm !== undefined && fold(other.cm.username) === fold(person.cm.username))),
  );
}

/** The one place that says what integration `by`'s `GET /Users?filter=userName eq "name"` finds. */
export function findByUserName(state: State, by: Integration, name: string): string[] {
  const key = fold(name);
  // The shared name first (a Content Manager user this view sees by its UPN), then this integration's own names.
  const shared = holderOfName(state, key);
  if (shared !== undefined && seenAs(shared, by, key)) return [shared.id];
  const own = Object.values(state.people).find((p) => fold(liveSourceOf(p, by)?.userName ?? '') === key);
  return own === undefined ? [] : [own.id];
}

/** A prediction: the answer, and the state after it (undefined when the operation changes nothing). */
export interface Outcome {
  /** `id` is the id the answer must name, or NEW when it must name a resource that did not exist. */
  answer: { status: number; id?: string; outcome?: string };
  next?: State;
}

export const NEW = 'new';

function withPerson(state: State, person: Person | undefined, id: string): State {
  const next = clone(state);
  if (person === undefined) delete next.people[id];
  else next.people[id] = person;
  // An integration's groups only list users it can see (whoever made them disappear from its view).
  for (const group of Object.values(next.groups)) {
    group.members = group.members.filter((member) => next.people[member] !== undefined && isVisible(next.people[member], group.by));
  }
  return next;
}

function groupOf(state: State, by: Integration, id: string): Group | undefined {
  const group = state.groups[id];
  return group?.by === by ? group : undefined;
}

const nameTaken = (state: State, by: Integration, displayName: string, except?: string): boolean =>
  Object.values(state.groups).some((g) => g.by === by && g.id !== except && fold(g.displayName) === fold(displayName));

/** How a prediction may deviate where the real code is not atomic (history-check.ts TOLERATED). */
export interface ApplyOptions {
  /** A rename skips its check against the shared name (it raced an import that created that name). */
  skipSharedNameCheck?: boolean;
}

/** Applies one operation atomically; a new resource gets the id `newId` (the one the real answer named). */
export function applyOp(state: State, op: ResolvedOp, newId: string, options: ApplyOptions = {}): Outcome {
  switch (op.kind) {
    case 'userPost': {
      if (findByUserName(state, op.by, op.userName).length > 0) return { answer: { status: 409 } };
      const shared = holderOfName(state, fold(op.userName));
      const cm = MODE_OF[op.by] === 'create' ? { username: op.userName, upn: op.userName, createdBy: op.by } : undefined;
      if (shared === undefined || liveSourceOf(shared, op.by) !== undefined) {
        // A new person; it takes the shared name only when nobody holds it.
        const person: Person = { id: newId, sources: { [op.by]: { userName: op.userName } } };
        if (shared === undefined && cm !== undefined) person.cm = cm;
        else if (shared === undefined) person.stagedUpn = op.userName;
        return clashes(state, person) ? { answer: { status: 409 } } : { answer: { status: 201, id: NEW }, next: withPerson(state, person, newId) };
      }
      const person = clone(shared);
      person.sources[op.by] = { userName: op.userName };
      if (person.cm === undefined && cm !== undefined) {
        person.cm = cm;
        delete person.stagedUpn;
      }
      return clashes(state, person) ? { answer: { status: 409 } } : { answer: { status: 201, id: shared.id }, next: withPerson(state, person, shared.id) };
    }
    case 'userRename': {
      const current = state.people[op.id];
      if (current === undefined || !isVisible(current, op.by)) return { answer: { status: 404 } };
      // A new userName must not be one this view already finds on someone else (the filter and the write agree). The
      // name the record already has (in any case) is not new: Entra sends it again with every PATCH.
      const unchangedName = seenAs(current, op.by, fold(op.userName));
      if (!options.skipSharedNameCheck && !unchangedName && findByUserName(state, op.by, op.userName).some((id) => id !== op.id)) return { answer: { status: 409 } };
      const person = clone(current);
      person.sources[op.by] = { userName: op.userName };
      return clashes(state, person) ? { answer: { status: 409 } } : { answer: { status: 200 }, next: withPerson(state, person, op.id) };
    }
    case 'userDelete': {
      const current = state.people[op.id];
      if (current === undefined || !isVisible(current, op.by)) return { answer: { status: 404 } };
      const person = clone(current);
      person.sources[op.by] = 'deleted';
      if (person.cm?.createdBy === op.by) {
        person.stagedUpn = person.cm.upn; // the others' records stay, staged under the UPN
        delete person.cm;
      }
      const live = Object.values(person.sources).some((source) => source !== 'deleted');
      return { answer: { status: 204 }, next: withPerson(state, person.cm === undefined && !live ? undefined : person, op.id) };
    }
    case 'import':
      return applyImport(state, op, newId);
    case 'groupPost': {
      if (nameTaken(state, op.by, op.displayName)) return { answer: { status: 409 } };
      const next = clone(state);
      next.groups[newId] = { id: newId, by: op.by, displayName: op.displayName, members: visibleMembers(state, op.by, op.members) };
      return { answer: { status: 201, id: NEW }, next };
    }
    case 'groupMembers': {
      const group = groupOf(state, op.by, op.id);
      if (group === undefined) return { answer: { status: 404 } };
      const next = clone(state);
      const members = new Set(group.members);
      if (op.remove) for (const id of op.members) members.delete(id);
      else for (const id of visibleMembers(state, op.by, op.members)) members.add(id);
      (next.groups[op.id] as Group).members = [...members];
      return { answer: { status: 204 }, next };
    }
    case 'groupRename': {
      if (groupOf(state, op.by, op.id) === undefined) return { answer: { status: 404 } };
      if (nameTaken(state, op.by, op.displayName, op.id)) return { answer: { status: 409 } };
      const next = clone(state);
      (next.groups[op.id] as Group).displayName = op.displayName;
      return { answer: { status: 204 }, next };
    }
    case 'groupDelete': {
      if (groupOf(state, op.by, op.id) === undefined) return { answer: { status: 404 } };
      const next = clone(state);
      delete next.groups[op.id];
      return { answer: { status: 204 }, next };
    }
  }
}

function visibleMembers(state: State, by: Integration, ids: string[]): string[] {
  return [...new Set(ids)].filter((id) => state.people[id] !== undefined && isVisible(state.people[id], by));
}

/** An admin import row: upsert by username (a changed upn renames), else link the person staged under the upn, else create. */
function applyImport(state: State, op: Extract<ResolvedOp, { kind: 'import' }>, newId: string): Outcome {
  const rejected: Outcome = { answer: { status: 200, outcome: 'rejected' } };
  const existing = holderOfUsername(state, fold(op.username));
  if (existing?.cm !== undefined) {
    const person = clone(existing);
    person.cm = { ...existing.cm, username: op.username, upn: op.upn };
    if (existing.cm.username === op.username && existing.cm.upn === op.upn) return { answer: { status: 200, id: existing.id, outcome: 'unchanged' } };
    return clashes(state, person) ? rejected : { answer: { status: 200, id: existing.id, outcome: 'updated' }, next: withPerson(state, person, existing.id) };
  }
  const holder = holderOfName(state, fold(op.upn));
  if (holder?.cm !== undefined) return rejected;
  // Else the staged record holding the name, or one some integration knows by it as its own (smallest id first).
  const staged =
    holder ??
    Object.values(state.people)
      .filter((p) => p.cm === undefined && INTEGRATIONS.some((by) => fold(liveSourceOf(p, by)?.userName ?? '') === fold(op.upn)))
      .sort((a, b) => a.id.localeCompare(b.id))[0];
  const cm = { username: op.username, upn: op.upn, createdBy: 'admin' as const };
  if (staged !== undefined) {
    const person: Person = { ...clone(staged), cm };
    delete person.stagedUpn;
    return clashes(state, person) ? rejected : { answer: { status: 200, id: staged.id, outcome: 'linked' }, next: withPerson(state, person, staged.id) };
  }
  const person: Person = { id: newId, cm, sources: {} };
  return clashes(state, person) ? rejected : { answer: { status: 200, id: NEW, outcome: 'created' }, next: withPerson(state, person, newId) };
}

/** What the tests observe after a history, as sorted lines per view (the model renders the same shape). */
export interface Snapshot {
  users: Record<Integration, string[]>;
  byUserName: Record<Integration, string[]>;
  contentManager: string[];
  groups: Record<Integration, string[]>;
}

export const userLine = (id: string, userName: string): string => `${id} ${userName}`;
export const byNameLine = (name: string, ids: string[]): string => `${name} -> [${[...ids].sort().join(', ')}]`;
export const cmLine = (id: string, username: string, upn: string): string => `${id} ${username} ${upn}`;
export const groupLine = (id: string, displayName: string, members: string[]): string => `${id} ${displayName} [${[...members].sort().join(', ')}]`;

export function snapshotOf(state: State): Snapshot {
  const people = Object.values(state.people);
  const perIntegration = (lines: (by: Integration) => string[]): Record<Integration, string[]> =>
    Object.fromEntries(INTEGRATIONS.map((by) => [by, lines(by).sort()])) as Record<Integration, string[]>;
  return {
    users: perIntegration((by) => people.flatMap((p) => (isVisible(p, by) ? [userLine(p.id, viewUserName(p, by) as string)] : []))),
    byUserName: perIntegration((by) => USER_NAMES.map((name) => byNameLine(name, findByUserName(state, by, name)))),
    contentManager: people.flatMap((p) => (p.cm === undefined ? [] : [cmLine(p.id, p.cm.username, p.cm.upn)])).sort(),
    groups: perIntegration((by) => Object.values(state.groups).filter((g) => g.by === by).map((g) => groupLine(g.id, g.displayName, g.members))),
  };
}
