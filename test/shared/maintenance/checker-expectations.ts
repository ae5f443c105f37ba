// What the storage checker's tests assert after injecting a corruption: the kinds found, and that a repair leaves a
// state a second check finds clean (or, for what cannot be derived, that the repair leaves it alone).
import { expect } from 'vitest';
import { checkStorage, type ProblemKind, type StorageProblem } from '../../../shared/maintenance/storage-checker.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';

const kindsOf = (problems: StorageProblem[]): ProblemKind[] => [...new Set(problems.map((problem) => problem.kind))].sort();

/** Checks (finding exactly `kinds`), repairs, and checks again (finding nothing). Returns the problems first found. */
export async function expectFoundThenRepaired(tables: TableClients, kinds: ProblemKind[]): Promise<StorageProblem[]> {
  const found = await checkStorage(tables);
  expect(kindsOf(found.problems)).toEqual([...new Set(kinds)].sort());
  expect(found.repaired).toBe(0);
  const repair = await checkStorage(tables, { repair: true });
  expect(repair.repaired).toBeGreaterThan(0);
  expect((await checkStorage(tables)).problems).toEqual([]);
  return found.problems;
}

/** Checks (finding `kind` among the problems) and repairs, which must leave every problem of that kind in place. */
export async function expectFoundNotRepaired(tables: TableClients, kind: ProblemKind): Promise<StorageProblem[]> {
  const found = await checkStorage(tables);
  expect(kindsOf(found.problems)).toContain(kind);
  const repair = await checkStorage(tables, { repair: true });
  const left = repair.problems.filter((problem) => problem.kind === kind);
  expect(left.length).toBeGreaterThan(0);
  expect(left.every((problem) => !problem.repaired)).toBe(true);
  expect(kindsOf((await checkStorage(tables)).problems)).toContain(kind);
  return found.problems.filter((problem) => problem.kind === kind);
}

export async function expectClean(tables: TableClients): Promise<void> {
  expect((await checkStorage(tables)).problems).toEqual([]);
}
