// The Graph fake's state: one Entra tenant with its app registration (client id, secret, granted permissions),
// users, groups of every kind and their direct members, and a change log that delta rounds read. Tests change the
// tenant through these methods between runs; the routes read it. Ids are deterministic GUIDs.

export type GraphPermission = 'User.Read.All' | 'User.Export.All' | 'Group.Read.All' | 'GroupMember.Read.All';
export const ALL_SYNC_PERMISSIONS: readonly GraphPermission[] = ['User.Read.All', 'User.Export.All', 'Group.Read.All', 'GroupMember.Read.All'];

export type ObjectType = 'user' | 'group';
export type Properties = Record<string, unknown>;

export interface FakeApp {
  readonly clientId: string;
  clientSecret: string;
  secretExpired: boolean;
  readonly permissions: Set<GraphPermission>;
}

export type ChangeEntry =
  | { readonly seq: number; readonly type: ObjectType; readonly id: string }
  | { readonly seq: number; readonly type: 'member'; readonly groupId: string; readonly memberId: string; readonly memberType: ObjectType; readonly removed: boolean };

export interface Removal {
  readonly type: ObjectType;
  readonly reason: 'changed' | 'deleted';
}

export function fakeGuid(prefix: number, n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `${prefix.toString(16).padStart(8, '0')}-0000-4000-8000-${hex}`;
}

const EXTENSION_ATTRIBUTE_KEYS = Array.from({ length: 15 }, (_, i) => `extensionAttribute${i + 1}`);

function emptyExtensionAttributes(): Record<string, string | null> {
  return Object.fromEntries(EXTENSION_ATTRIBUTE_KEYS.map((key) => [key, null]));
}

export interface FakeUserInput {
  readonly userPrincipalName: string;
  readonly [property: string]: unknown;
}

export interface FakeGroupInput {
  readonly displayName: string;
  /** security (default), mailEnabledSecurity, microsoft365 or distribution; dynamic adds DynamicMembership. */
  readonly kind?: 'security' | 'mailEnabledSecurity' | 'microsoft365' | 'distribution';
  readonly dynamicRule?: string;
  readonly [property: string]: unknown;
}

export class FakeTenant {
  readonly users = new Map<string, Properties>();
  readonly groups = new Map<string, Properties>();
  /** groupId → memberId → member type. */
  readonly members = new Map<string, Map<string, ObjectType>>();
  readonly removals = new Map<string, Removal>();
  readonly log: ChangeEntry[] = [];
  seq = 0;
  private nextId = 1;

  constructor(
    readonly tenantId: string,
    readonly app: FakeApp,
  ) {}

  static create(options: { tenantId?: string; clientId?: string; clientSecret?: string; permissions?: readonly GraphPermission[] } = {}): FakeTenant {
    return new FakeTenant(options.tenantId ?? fakeGuid(0x7e, 1), {
      clientId: options.clientId ?? fakeGuid(0xa9, 1),
      clientSecret: options.clientSecret ?? 'fake-client-secret-value',
      secretExpired: false,
      permissions: new Set(options.permissions ?? ALL_SYNC_PERMISSIONS),
    });
  }

  private record(entry: Omit<Extract<ChangeEntry, { type: ObjectType }>, 'seq'> | Omit<Extract<ChangeEntry, { type: 'member' }>, 'seq'>): void {
    this.seq += 1;
    this.log.push({ ...entry, seq: this.seq });
  }

  addUser(input: FakeUserInput): string {
    const id = fakeGuid(0x05e7, this.nextId++);
    const { onPremisesExtensionAttributes, ...rest } = input as Properties;
    const [alias] = input.userPrincipalName.split('@');
    this.users.set(id, {
      id, displayName: alias, givenName: null, surname: null, mail: null, jobTitle: null, officeLocation: null,
      mobilePhone: null, businessPhones: [], preferredLanguage: null, accountEnabled: true, userType: 'Member',
      employeeId: null, onPremisesSamAccountName: null, department: null, companyName: null, employeeOrgData: null,
      ...rest,
      onPremisesExtensionAttributes: { ...emptyExtensionAttributes(), ...(onPremisesExtensionAttributes as Properties | undefined) },
    });
    this.record({ type: 'user', id });
    return id;
  }

  updateUser(id: string, patch: Properties): void {
    const user = this.required(this.users, id);
    const { onPremisesExtensionAttributes, ...rest } = patch;
    Object.assign(user, rest);
    if (onPremisesExtensionAttributes !== undefined) Object.assign(user.onPremisesExtensionAttributes as Properties, onPremisesExtensionAttributes);
    this.record({ type: 'user', id });
  }

  /** Soft delete (reason changed, restorable) by default; permanent gives reason deleted. Memberships go too. */
  deleteUser(id: string, options: { permanent?: boolean } = {}): void {
    this.required(this.users, id);
    this.dropMemberships(id);
    this.users.delete(id);
    this.removals.set(id, { type: 'user', reason: options.permanent === true ? 'deleted' : 'changed' });
    this.record({ type: 'user', id });
  }

  addGroup(input: FakeGroupInput): string {
    const id = fakeGuid(0x6e0, this.nextId++);
    const { kind = 'security', dynamicRule, ...rest } = input;
    const groupTypes = [...(kind === 'microsoft365' ? ['Unified'] : []), ...(dynamicRule === undefined ? [] : ['DynamicMembership'])];
    this.groups.set(id, {
      id, description: null, groupTypes,
      securityEnabled: kind !== 'distribution' && kind !== 'microsoft365',
      mailEnabled: kind !== 'security',
      mail: kind === 'security' ? null : `${input.displayName.replace(/\W/g, '').toLowerCase()}@contoso.example`,
      mailNickname: input.displayName.replace(/\W/g, '').toLowerCase(),
      membershipRule: dynamicRule ?? null,
      membershipRuleProcessingState: dynamicRule === undefined ? null : 'On',
      onPremisesSyncEnabled: null, onPremisesSecurityIdentifier: null, visibility: kind === 'microsoft365' ? 'Private' : null, createdDateTime: '2026-01-01T00:00:00Z',
      ...rest,
    });
    this.members.set(id, new Map());
    this.record({ type: 'group', id });
    return id;
  }

  updateGroup(id: string, patch: Properties): void {
    Object.assign(this.required(this.groups, id), patch);
    this.record({ type: 'group', id });
  }

  deleteGroup(id: string, options: { permanent?: boolean } = {}): void {
    this.required(this.groups, id);
    for (const memberId of [...(this.members.get(id)?.keys() ?? [])]) this.removeMember(id, memberId);
    this.dropMemberships(id);
    this.groups.delete(id);
    this.members.delete(id);
    this.removals.set(id, { type: 'group', reason: options.permanent === true ? 'deleted' : 'changed' });
    this.record({ type: 'group', id });
  }

  addMember(groupId: string, memberId: string): void {
    const memberType: ObjectType = this.users.has(memberId) ? 'user' : 'group';
    if (memberType === 'group') this.required(this.groups, memberId);
    const members = this.required(this.members, groupId);
    if (members.has(memberId)) return;
    members.set(memberId, memberType);
    this.record({ type: 'member', groupId, memberId, memberType, removed: false });
  }

  removeMember(groupId: string, memberId: string): void {
    const members = this.required(this.members, groupId);
    const memberType = members.get(memberId);
    if (memberType === undefined) return;
    members.delete(memberId);
    this.record({ type: 'member', groupId, memberId, memberType, removed: true });
  }

  typeOf(id: string): ObjectType | undefined {
    if (this.users.has(id)) return 'user';
    return this.groups.has(id) ? 'group' : undefined;
  }

  /** Members at any depth, de-duplicated, cycle-safe; nested groups included (as Graph's transitiveMembers). */
  transitiveMembers(groupId: string): Map<string, ObjectType> {
    const found = new Map<string, ObjectType>();
    const pending = [groupId];
    const seenGroups = new Set([groupId]);
    while (pending.length > 0) {
      const current = pending.pop() as string;
      for (const [memberId, type] of this.members.get(current) ?? []) {
        if (memberId !== groupId) found.set(memberId, type);
        if (type === 'group' && !seenGroups.has(memberId)) {
          seenGroups.add(memberId);
          pending.push(memberId);
        }
      }
    }
    return found;
  }

  /** The groups that hold an object at any depth, cycle-safe (as Graph's transitiveMemberOf). */
  transitiveMemberOf(memberId: string): string[] {
    const parents = new Map<string, string[]>();
    for (const [groupId, members] of this.members) {
      for (const id of members.keys()) {
        const list = parents.get(id);
        if (list === undefined) parents.set(id, [groupId]);
        else list.push(groupId);
      }
    }
    const found = new Set<string>();
    const pending = [memberId];
    while (pending.length > 0) {
      for (const groupId of parents.get(pending.pop() as string) ?? []) {
        if (found.has(groupId)) continue;
        found.add(groupId);
        pending.push(groupId);
      }
    }
    found.delete(memberId);
    return [...found];
  }

  private dropMemberships(memberId: string): void {
    for (const [groupId, members] of this.members) if (members.has(memberId)) this.removeMember(groupId, memberId);
  }

  private required<T>(map: Map<string, T>, id: string): T {
    const value = map.get(id);
    if (value === undefined) throw new Error(`fake tenant: no object ${id}`);
    return value;
  }
}
