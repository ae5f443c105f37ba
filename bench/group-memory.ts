// What one GET of a very large group costs the host in memory: a group of `members` members (seeded straight into
// storage: the write path is measured by the cycle, not here) is read once with its members, and the host's peak
// resident set during that GET is compared with its level just before. Streaming keeps the difference small; a
// rendering that holds the member array would grow with the group.
import { performance } from 'node:perf_hooks';
import { BenchSetupError } from './cycle.js';
import { adminFetch, scimFetch } from './json-fetch.js';
import { round } from './stats.js';

export interface GroupMemoryTarget {
  hostUrl: string;
  functionsKey: string;
  /** Writes `count` members (ids of its choosing) into the group, e.g. through MembershipRepository.add. */
  seedMembers: (integrationId: string, groupId: string, count: number) => Promise<void>;
  /** Starts a new peak at the host's current resident set; resolves to that level in MB. */
  resetHostPeakRssMb: () => Promise<number>;
  /** The host's peak resident set since the last reset, in MB. */
  hostPeakRssMb: () => Promise<number>;
  progress?: (line: string) => void;
}

export interface GroupMemoryResult {
  members: number;
  seedSeconds: number;
  getSeconds: number;
  responseMb: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  /** Peak during the GET minus the level before it. */
  peakRssDeltaMb: number;
}

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export async function measureGroupGetMemory(target: GroupMemoryTarget, members: number): Promise<GroupMemoryResult> {
  const progress = target.progress ?? (() => undefined);
  const admin = adminFetch(target.hostUrl, target.functionsKey);
  const integration = (await admin('POST', '/integrations', { displayName: 'Bench large group', userProvisioning: 'matchOnly' }, 201)).body;
  const scim = scimFetch(String(integration.tenantUrl), String(integration.secretToken));
  const group = (await scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: `Large group ${members}` }, 201)).body;

  const seedStarted = performance.now();
  await target.seedMembers(String(integration.id), String(group.id), members);
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  progress(`seeded a group of ${members} members in ${seedSeconds.toFixed(2)} s`);

  const rssBeforeMb = await target.resetHostPeakRssMb();
  const getStarted = performance.now();
  const response = await fetch(`${String(integration.tenantUrl)}/Groups/${String(group.id)}`, { headers: { authorization: `Bearer ${String(integration.secretToken)}` } });
  const text = await response.text();
  const getSeconds = (performance.now() - getStarted) / 1000;
  const rssPeakMb = await target.hostPeakRssMb();
  if (response.status !== 200) throw new BenchSetupError(`GET of the large group answered ${response.status}: ${text.slice(0, 2_000)}`);
  const got = (JSON.parse(text) as { members?: unknown[] }).members?.length ?? 0;
  if (got !== members) throw new BenchSetupError(`GET of the large group gave ${got} members, expected ${members}`);
  return {
    members,
    seedSeconds: round(seedSeconds, 2),
    getSeconds: round(getSeconds, 2),
    responseMb: round(Buffer.byteLength(text) / (1024 * 1024), 1),
    rssBeforeMb: round(rssBeforeMb, 1),
    rssPeakMb: round(rssPeakMb, 1),
    peakRssDeltaMb: round(rssPeakMb - rssBeforeMb, 1),
  };
}
