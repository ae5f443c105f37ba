// Transitive membership from direct memberships, which is all that delta reports. Pure and cycle-safe: each walk
// keeps the groups it has visited, so A ∈ B ∈ A ends, and a user reached by two paths is counted once. After a delta
// round, only the groups whose direct membership changed, and the groups that contain them at any depth, need their
// transitive members recomputed (affectedGroups).

export interface DirectMembers {
  readonly userIds: Iterable<string>;
  readonly groupIds: Iterable<string>;
}

/** A group's direct members; undefined for a group not known (treated as empty). */
export type DirectMembersOf = (groupId: string) => DirectMembers | undefined;
/** The groups that directly contain a group. */
export type ParentsOf = (groupId: string) => Iterable<string>;

/** Every user in `groupId` at any depth, through nested groups, each once. */
export function transitiveUserIds(groupId: string, directMembersOf: DirectMembersOf): Set<string> {
  const users = new Set<string>();
  for (const group of reachable([groupId], (id) => directMembersOf(id)?.groupIds ?? [])) {
    for (const user of directMembersOf(group)?.userIds ?? []) users.add(user);
  }
  return users;
}

/** The changed groups and every group that contains one of them at any depth: whose transitive members may differ. */
export function affectedGroups(changedGroupIds: Iterable<string>, parentsOf: ParentsOf): Set<string> {
  return reachable(changedGroupIds, parentsOf);
}

/** The start nodes and all nodes reachable from them along `next`, breadth first, each visited once. */
function reachable(start: Iterable<string>, next: (id: string) => Iterable<string>): Set<string> {
  const visited = new Set<string>();
  const queue: string[] = [];
  for (const id of start) {
    if (!visited.has(id)) {
      visited.add(id);
      queue.push(id);
    }
  }
  for (let index = 0; index < queue.length; index += 1) {
    for (const neighbour of next(queue[index] as string)) {
      if (!visited.has(neighbour)) {
        visited.add(neighbour);
        queue.push(neighbour);
      }
    }
  }
  return visited;
}

/** Direct memberships held in memory, both ways, for a sync step that has loaded them (or for tests). */
export class DirectMembershipGraph {
  private readonly users = new Map<string, Set<string>>();
  private readonly childGroups = new Map<string, Set<string>>();
  private readonly parents = new Map<string, Set<string>>();

  addUser(groupId: string, userId: string): void {
    setOf(this.users, groupId).add(userId);
  }

  removeUser(groupId: string, userId: string): void {
    this.users.get(groupId)?.delete(userId);
  }

  addGroup(groupId: string, memberGroupId: string): void {
    setOf(this.childGroups, groupId).add(memberGroupId);
    setOf(this.parents, memberGroupId).add(groupId);
  }

  removeGroup(groupId: string, memberGroupId: string): void {
    this.childGroups.get(groupId)?.delete(memberGroupId);
    this.parents.get(memberGroupId)?.delete(groupId);
  }

  readonly directMembersOf: DirectMembersOf = (groupId) => ({
    userIds: this.users.get(groupId) ?? [],
    groupIds: this.childGroups.get(groupId) ?? [],
  });

  readonly parentsOf: ParentsOf = (groupId) => this.parents.get(groupId) ?? [];
}

function setOf(map: Map<string, Set<string>>, key: string): Set<string> {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}
