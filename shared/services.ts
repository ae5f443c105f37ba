// Wiring: the repositories and domain services of one process, built once from the settings. Functions ask for
// `services()`; tests, the local host and benchmarks build their own with createServices (e.g. with a table prefix).
import { DefaultAzureCredential } from '@azure/identity';
import { adminAccessFromSettings, type AdminAccessOptions } from './admin-api/admin-access.js';
import { type Settings, settings } from './config.js';
import { AttributeCatalog } from './directory/attribute-catalog.js';
import { ContentManagerUsers } from './directory/content-manager-users.js';
import { IntegrationService } from './directory/integrations.js';
import { MemberDepartures } from './directory/member-departures.js';
import { MemberExistenceCache } from './directory/member-existence-cache.js';
import { PersonDirectory } from './directory/person-directory.js';
import { PersonStore } from './directory/person-store.js';
import { SourceGroups } from './directory/source-groups.js';
import { AudienceResolver } from './directory/targeting/audience-resolver.js';
import { TargetingDefinitionCache } from './directory/targeting/definition-cache.js';
import { GroupsAcrossSources } from './directory/targeting/groups-across-sources.js';
import { TargetingAttributes } from './directory/targeting/targeting-attributes.js';
import { TargetingValueIndexer } from './directory/targeting/value-indexer.js';
import { ProvisioningLog } from './provisioning-log/provisioning-log.js';
import { ScimGroupService } from './scim-api/group-service.js';
import { ScimUserService } from './scim-api/user-service.js';
import { KeyVaultSecretStore } from './secrets/key-vault-secret-store.js';
import { LocalFileSecretStore } from './secrets/local-file-secret-store.js';
import type { SecretStore } from './secrets/secret-store.js';
import { AttributeCatalogRepository } from './storage/attribute-catalog-repository.js';
import { AttributeValueIndexRepository } from './storage/attribute-value-index-repository.js';
import { GroupMemberReader } from './storage/group-member-reader.js';
import { DepartureRepository } from './storage/departure-repository.js';
import { GroupRepository } from './storage/group-repository.js';
import { IntegrationRepository } from './storage/integration-repository.js';
import { MembershipRepository } from './storage/membership-repository.js';
import { PeopleRepository } from './storage/people-repository.js';
import { ProvisioningLogRepository } from './storage/provisioning-log-repository.js';
import { createTableClients, ensureTables, type TableClients } from './storage/table-clients.js';
import { TargetingAttributeRepository } from './storage/targeting-attribute-repository.js';
import { UserIndexRepository } from './storage/user-index-repository.js';

export interface Services {
  tables: TableClients;
  secrets: SecretStore;
  integrations: IntegrationService;
  /** The directory's people: one source's document per person, matching and staged records (protocol-neutral). */
  people: PersonDirectory;
  /** The directory's groups and memberships of each source (protocol-neutral). */
  groups: SourceGroups;
  /** /Users and /Groups of the SCIM service, on top of `people` and `groups`. */
  scimUsers: ScimUserService;
  scimGroups: ScimGroupService;
  contentManagerUsers: ContentManagerUsers;
  catalog: AttributeCatalog;
  /** Targeting: attributes picked from the sources' catalogs, groups of every source, audiences (directory/targeting/). */
  targetingAttributes: TargetingAttributes;
  allGroups: GroupsAcrossSources;
  audiences: AudienceResolver;
  /** Every SCIM write and Graph change, recorded off the request's critical path (provisioning-log/). */
  provisioningLog: ProvisioningLog;
  /** Who may call the admin API, as the app settings say (admin-api/admin-access.ts). */
  adminAccess: AdminAccessOptions;
}

export interface CreateServicesOptions {
  tablePrefix?: string;
  secrets?: SecretStore;
  /** False: nothing is recorded in the provisioning log (harnesses that count or gate every storage call). */
  recordProvisioningLog?: boolean;
}

/** Default location of the local secret store, relative to the working directory. */
export const DEFAULT_LOCAL_SECRET_STORE_PATH = '.local/secrets.json';

export function secretStoreFor(config: Settings): SecretStore {
  if (config.KEY_VAULT_URL !== undefined) {
    const credential = new DefaultAzureCredential(config.AZURE_CLIENT_ID === undefined ? {} : { managedIdentityClientId: config.AZURE_CLIENT_ID });
    return new KeyVaultSecretStore(config.KEY_VAULT_URL, credential);
  }
  return new LocalFileSecretStore(config.LOCAL_SECRET_STORE_PATH ?? DEFAULT_LOCAL_SECRET_STORE_PATH);
}

export async function createServices(config: Settings, options: CreateServicesOptions = {}): Promise<Services> {
  const tables = createTableClients(config, options.tablePrefix === undefined ? {} : { tablePrefix: options.tablePrefix });
  await ensureTables(tables);
  const secrets = options.secrets ?? secretStoreFor(config);
  const people = new PeopleRepository(tables.people);
  const index = new UserIndexRepository(tables.userindex);
  const memberships = new MembershipRepository(tables.members);
  const groups = new GroupRepository(tables.groups);
  const targetingRecords = new TargetingAttributeRepository(tables.targeting);
  const valueIndex = new AttributeValueIndexRepository(tables.targeting);
  const targetingDefinitions = new TargetingDefinitionCache(targetingRecords);
  const departures = new MemberDepartures(new DepartureRepository(tables.members));
  const store = new PersonStore(people, index, departures, new TargetingValueIndexer(targetingDefinitions, valueIndex, people));
  const catalogRecords = new AttributeCatalogRepository(tables.attributes);
  const catalog = new AttributeCatalog(catalogRecords);
  const knownMembers = new MemberExistenceCache();
  const integrationRecords = new IntegrationRepository(tables.integrations);
  const integrationIds = async (): Promise<string[]> => (await integrationRecords.list()).map((integration) => integration.id);
  const personDirectory = new PersonDirectory(store, index, memberships, catalog, knownMembers, integrationIds);
  const sourceGroups = new SourceGroups(groups, memberships, people, departures, knownMembers);
  const memberReader = new GroupMemberReader(tables.members);
  const integrationExists = async (id: string): Promise<boolean> => (await integrationRecords.get(id)) !== undefined;
  return {
    tables,
    secrets,
    integrations: new IntegrationService(integrationRecords, secrets),
    people: personDirectory,
    groups: sourceGroups,
    scimUsers: new ScimUserService(personDirectory),
    scimGroups: new ScimGroupService(sourceGroups),
    contentManagerUsers: new ContentManagerUsers(store, groups, memberships, integrationIds),
    catalog,
    targetingAttributes: new TargetingAttributes(targetingRecords, valueIndex, targetingDefinitions, catalogRecords, people, integrationExists),
    allGroups: new GroupsAcrossSources(groups, sourceGroups, memberships, memberReader, () => integrationRecords.list()),
    audiences: new AudienceResolver(memberReader, valueIndex, groups, targetingRecords),
    provisioningLog: new ProvisioningLog(new ProvisioningLogRepository(tables.provisioninglog), { recording: options.recordProvisioningLog !== false }),
    adminAccess: adminAccessFromSettings(config),
  };
}

let current: Promise<Services> | undefined;

/** The services of this process, built from `settings()` on first use. */
export function services(): Promise<Services> {
  current ??= createServices(settings()).catch((error: unknown) => {
    current = undefined;
    throw error;
  });
  return current;
}

/** For tests and the local host: use these services instead of building them from the settings. */
export function useServices(value: Services | undefined): void {
  current = value === undefined ? undefined : Promise.resolve(value);
}
