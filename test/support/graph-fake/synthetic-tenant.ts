// A large synthetic tenant for benchmarks and scale tests, deterministic from a seed: users, groups of every kind,
// direct user memberships spread over the groups, and groups nested `nestingDepth` levels deep (each nested group
// inside one group of the level above). `changeSyntheticTenant` then changes a fraction of users and memberships,
// as the delta run of `npm run bench:graph` needs.
import { FakeTenant } from './fake-tenant.js';

export interface SyntheticTenantShape {
  readonly users: number;
  readonly groups: number;
  /** Direct user→group memberships (nesting edges come on top). */
  readonly memberships: number;
  /** Levels of nesting below the top level; 0 for flat groups. */
  readonly nestingDepth: number;
  readonly seed?: number;
}

export interface SyntheticTenant {
  readonly tenant: FakeTenant;
  readonly userIds: readonly string[];
  readonly groupIds: readonly string[];
  /** Group ids per nesting level, level 0 first. */
  readonly levels: readonly (readonly string[])[];
}

/** A small, fast, seeded generator (mulberry32), so the same shape gives the same tenant. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KIND_CYCLE = ['security', 'security', 'security', 'security', 'security', 'security', 'microsoft365', 'microsoft365', 'mailEnabledSecurity', 'dynamic'] as const;

export function syntheticTenant(shape: SyntheticTenantShape): SyntheticTenant {
  const random = seededRandom(shape.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const tenant = FakeTenant.create();
  const userIds: string[] = [];
  for (let i = 0; i < shape.users; i += 1) {
    userIds.push(tenant.addUser({
      userPrincipalName: `user${i}@contoso.example`,
      mail: `user${i}@contoso.example`,
      employeeId: `E${i}`,
      department: `Department ${i % 50}`,
      onPremisesExtensionAttributes: { extensionAttribute1: `cm-user${i}` },
    }));
  }
  const groupIds: string[] = [];
  const levelCount = shape.nestingDepth + 1;
  const levels: string[][] = Array.from({ length: levelCount }, () => []);
  for (let i = 0; i < shape.groups; i += 1) {
    const kind = KIND_CYCLE[i % KIND_CYCLE.length] as (typeof KIND_CYCLE)[number];
    const level = i % levelCount;
    // Microsoft 365 groups cannot contain groups, so they only sit at the deepest level.
    const placed = kind === 'microsoft365' ? levelCount - 1 : level;
    const id = tenant.addGroup({
      displayName: `${i % 2 === 0 ? 'COMMS' : 'SALES'}-${String(i).padStart(6, '0')}`,
      ...(kind === 'dynamic' ? { dynamicRule: `user.department -eq "Department ${i % 50}"` } : { kind }),
    });
    groupIds.push(id);
    levels[placed]?.push(id);
  }
  for (let level = 1; level < levelCount; level += 1) {
    const parents = (levels[level - 1] ?? []).filter((id) => !(tenant.groups.get(id)?.groupTypes as string[]).includes('Unified'));
    if (parents.length === 0) continue;
    for (const child of levels[level] ?? []) tenant.addMember(pick(parents), child);
  }
  const target = Math.min(shape.memberships, shape.users * shape.groups);
  let added = 0;
  while (added < target) {
    const groupId = pick(groupIds);
    const before = tenant.members.get(groupId)?.size ?? 0;
    tenant.addMember(groupId, pick(userIds));
    if ((tenant.members.get(groupId)?.size ?? 0) > before) added += 1;
  }
  return { tenant, userIds, groupIds, levels };
}

/** Changes `fraction` of the users (department) and of the memberships (half removed, half added elsewhere). */
export function changeSyntheticTenant(synthetic: SyntheticTenant, fraction: number, seed = 2): { usersChanged: number; membershipsChanged: number } {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const { tenant } = synthetic;
  const usersToChange = Math.round(synthetic.userIds.length * fraction);
  for (let i = 0; i < usersToChange; i += 1) tenant.updateUser(synthetic.userIds[i] as string, { department: `Changed ${seed}-${i}` });
  let userEdges = 0;
  for (const members of tenant.members.values()) for (const type of members.values()) if (type === 'user') userEdges += 1;
  const membershipsToChange = Math.round(userEdges * fraction);
  let changed = 0;
  while (changed < membershipsToChange) {
    const groupId = pick(synthetic.groupIds);
    const members = tenant.members.get(groupId);
    if (changed % 2 === 0) {
      const userMember = [...(members ?? [])].find(([, type]) => type === 'user');
      if (userMember === undefined) continue;
      tenant.removeMember(groupId, userMember[0]);
    } else {
      const userId = pick(synthetic.userIds);
      if (members?.has(userId) === true) continue;
      tenant.addMember(groupId, userId);
    }
    changed += 1;
  }
  return { usersChanged: usersToChange, membershipsChanged: changed };
}
