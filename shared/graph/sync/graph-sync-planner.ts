// The Graph sync planner: the SyncStepHandler that the run machinery (shared/sync-runs) drives, splitting a run into
// small idempotent steps and using the `drained` barrier between stages.
//
// A full run (asked for, the first, a week after the last full run, after the settings changed, or a delta round
// whose token expired):
//   stage 0  the delta links of "now" are taken (so the next delta run misses nothing done meanwhile); the selected
//            groups are listed and written, and the users matched and given this source's document, page by page
//   stage 1  each selected group's members are recomputed (fan-out a page of groups at a time)
//   stage 2  users and groups the run did not see are taken away
//   stage 3  the delta links and the time are stored; then the run's scratch rows are deleted
// A delta run:
//   stage 0  the users and groups delta rounds, page by page (@removed included), recording which groups' direct
//            members changed; an expired or reset token turns the run into a full run at the next barrier
//   stage 1  only the groups those changes reach (the changed groups and the selected groups they are nested in) are
//            recomputed: users added and removed (members@delta) applied as they are, a group read again whole only
//            when groups were nested or un-nested, created or removed; all of them when users changed whom they match
//   stage 2  the new delta links are stored; the scratch rows deleted
// A dry run makes the same reads and reports the same counts and first changes, and writes nothing to the directory
// or to the integration's state (only rows of its own run, deleted at its end).
import type { TableClient } from '@azure/data-tables';
import { AUTH_CACHE_MS, type GraphIntegrationConfig, type IntegrationService } from '../../directory/integrations.js';
import type { PersonDirectory } from '../../directory/person-directory.js';
import type { SourceGroups } from '../../directory/source-groups.js';
import type { ProvisioningLog } from '../../provisioning-log/provisioning-log.js';
import type { SyncRunKind } from '../../storage/sync-run-repository.js';
import { type SyncRunContext, type SyncStep, SyncStepFailedError, type SyncStepHandler, type SyncStepResult } from '../../sync-runs/step-handler.js';
import { DRAINED_STEP, START_STEP, type SyncStepRequest } from '../../sync-runs/step-messages.js';
import { emptyGraphRequestCounters, GRAPH_MAX_PAGE_SIZE, type GraphClientOptions } from '../graph-client.js';
import { GraphCredentialCache } from '../graph-credentials.js';
import { deltaStartUrl } from '../graph-delta.js';
import { GraphAuthenticationError, GraphPermissionError } from '../graph-errors.js';
import { graphClientForIntegration } from '../graph-integration-client.js';
import { type GraphIntegrationSettings, GraphSettingsError, parseStoredGraphSettings } from '../graph-integration-settings.js';
import { userSelect } from '../graph-user-query.js';
import { GROUP_DELTA_SELECT, groupListUrls } from './group-selection.js';
import { GROUP_IDS_PER_STEP, groupIdsStep, groupListStep, groupsDeltaStep } from './group-steps.js';
import { memberEdgesStep } from './member-edge-steps.js';
import { type FanOutPayload, fanOutStep, membershipPayloadOf, type MembersPayload, membersStep } from './member-steps.js';
import { settleJournalStep } from './membership-journal.js';
import { cleanUpStep, type PagePayload, storeEndState, unseenGroupsStep, unseenUsersStep } from './reconcile-steps.js';
import { StepTally, type SyncContext } from './sync-context.js';
import { GraphSyncStateStore } from './sync-state-store.js';
import { userListStep, usersDeltaStep } from './user-steps.js';

/** A full reconciling run at least this often (a delta run turns full when the last full run is older). */
export const DEFAULT_FULL_RUN_INTERVAL_MS = 7 * 24 * 60 * 60 * 1000;

export interface GraphSyncDependencies {
  readonly integrations: Pick<IntegrationService, 'graphConfig'>;
  readonly people: PersonDirectory;
  readonly groups: SourceGroups;
  /** Table `syncruns` (the planner's rows live in partitions of their own). */
  readonly syncTable: TableClient;
  /** The changes a step applies are recorded here, and written before the step commits. */
  readonly provisioningLog: ProvisioningLog;
}

export interface GraphSyncPlannerOptions {
  readonly now?: () => Date;
  readonly fullRunIntervalMs?: number;
  /** Passed to each step's Graph client (tests: a sleep that does not wait, a fixed random). */
  readonly client?: Omit<GraphClientOptions, 'cloud' | 'tokens' | 'counters'>;
  readonly credentials?: GraphCredentialCache;
}

type StepAnswer = { followUps: SyncStepRequest[]; kind?: SyncRunKind };

/** What the integration's delta links and reconciled state depend on: every setting but the switch, and what a group round reads. */
function settingsKey(settings: GraphIntegrationSettings): string {
  const { enabled: _enabled, ...rest } = settings;
  return JSON.stringify({ ...rest, groupSelect: GROUP_DELTA_SELECT });
}

function payloadOf<T>(step: SyncStep, required: readonly string[]): T {
  const payload = step.payload;
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload) || required.some((key) => !(key in payload))) {
    throw new SyncStepFailedError(`The "${step.kind}" step has a payload this version cannot read.`);
  }
  return payload as T;
}

/**
 * How long a process trusts an integration's Graph row and secret within a run: as long as SCIM trusts an
 * authenticated row, which a deletion's quiet period allows for (a step reading a row marked deleting fails the run).
 */
const CONFIG_MAX_AGE_MS = AUTH_CACHE_MS;

/**
 * A redelivered step's answer with each counter its earlier delivery recorded before writing raised to that count: the
 * earlier delivery may have written what it counted, and then this one finds less to change (a users page whose
 * documents are written counts none of them).
 */
export function withEarlierCounts(result: SyncStepResult, earlier: Readonly<Record<string, number>> | undefined): SyncStepResult {
  if (earlier === undefined) return result;
  const counters: Record<string, number> = { ...result.counters };
  for (const [name, value] of Object.entries(earlier)) counters[name] = Math.max(value, counters[name] ?? 0);
  return { ...result, counters };
}

function membershipPayload(step: SyncStep): MembersPayload {
  const payload = membershipPayloadOf(step.payload);
  if (payload === undefined) throw new SyncStepFailedError(`The "${step.kind}" step has a payload this version cannot read.`);
  return payload;
}

export class GraphSyncPlanner implements SyncStepHandler {
  private readonly configs = new Map<string, { readonly config: Promise<GraphIntegrationConfig | undefined>; readonly readAt: number }>();
  private readonly now: () => Date;
  private readonly fullRunIntervalMs: number;
  private readonly credentials: GraphCredentialCache;

  constructor(
    private readonly dependencies: () => Promise<GraphSyncDependencies>,
    private readonly options: GraphSyncPlannerOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.fullRunIntervalMs = options.fullRunIntervalMs ?? DEFAULT_FULL_RUN_INTERVAL_MS;
    this.credentials = options.credentials ?? new GraphCredentialCache();
  }

  async handle(run: SyncRunContext, step: SyncStep): Promise<SyncStepResult> {
    const deps = await this.dependencies();
    const config = await this.configOf(deps, run);
    if (config === undefined) throw new SyncStepFailedError('The integration is not a Graph integration, or its client secret is missing from the secret store.');
    if (config.record.status === 'deleting') throw new SyncStepFailedError('The integration is being deleted.');
    let settings: GraphIntegrationSettings;
    try {
      settings = parseStoredGraphSettings(config.settings);
    } catch (error) {
      if (error instanceof GraphSettingsError) throw new SyncStepFailedError(`The integration's Graph settings are not valid: ${error.message}`);
      throw error;
    }
    const counters = emptyGraphRequestCounters();
    const client = graphClientForIntegration(run.integrationId, settings, config.clientSecret, this.credentials, { ...this.options.client, counters });
    const ctx: SyncContext = {
      integrationId: run.integrationId,
      runId: run.runId,
      stepId: step.id,
      dryRun: run.dryRun,
      redelivered: step.dequeueCount > 1,
      settings,
      client,
      people: deps.people,
      groups: deps.groups,
      store: new GraphSyncStateStore(deps.syncTable, run.integrationId),
      log: deps.provisioningLog,
      now: this.now,
    };
    const tally = new StepTally();
    // What an earlier delivery recorded before its writes (only a redelivery looks).
    const earlier = ctx.redelivered && !ctx.dryRun ? ctx.store.stepCountsOf(run.runId, step.id) : Promise.resolve(undefined);
    earlier.catch(() => undefined);
    let answer: StepAnswer;
    try {
      answer = await this.dispatch(ctx, run, step, tally);
    } catch (error) {
      // A permission or credential Graph refuses will be refused on every try: the run fails now, saying which.
      if (error instanceof GraphPermissionError) throw new SyncStepFailedError(error.message, error.requestId);
      if (error instanceof GraphAuthenticationError) throw new SyncStepFailedError(error.message);
      throw error;
    } finally {
      tally.add('graphRequests', counters.requests);
      tally.add('throttledWaits', counters.retries);
      tally.add('throttledWaitMs', Math.round(counters.throttledWaitInMs));
      await deps.provisioningLog.flush();
    }
    return withEarlierCounts(tally.result(answer), await earlier);
  }

  /**
   * The integration's row, settings and secret for a step of this run: read once and trusted for CONFIG_MAX_AGE_MS by
   * the steps of the same run this process handles (a step used to read the row and the secret store every time).
   * A new run always reads them again; a failed read is not kept.
   */
  private configOf(deps: GraphSyncDependencies, run: SyncRunContext): Promise<GraphIntegrationConfig | undefined> {
    const key = `${run.integrationId}/${run.runId}`;
    const now = Date.now();
    const hit = this.configs.get(key);
    if (hit !== undefined && now - hit.readAt < CONFIG_MAX_AGE_MS) return hit.config;
    for (const [held, entry] of this.configs) if (now - entry.readAt >= CONFIG_MAX_AGE_MS) this.configs.delete(held);
    const config = deps.integrations.graphConfig(run.integrationId);
    this.configs.set(key, { config, readAt: now });
    config.catch(() => {
      if (this.configs.get(key)?.config === config) this.configs.delete(key);
    });
    return config;
  }

  private async dispatch(ctx: SyncContext, run: SyncRunContext, step: SyncStep, tally: StepTally): Promise<StepAnswer> {
    const followUps = (steps: Promise<SyncStepRequest[]>): Promise<StepAnswer> => steps.then((list) => ({ followUps: list }));
    switch (step.kind) {
      case START_STEP:
        return this.start(ctx, run);
      case DRAINED_STEP:
        return this.drained(ctx, run, payloadOf<{ phase: number }>(step, ['phase']).phase);
      case 'users':
        return followUps(userListStep(ctx, payloadOf(step, ['url']), tally));
      case 'groups':
        return followUps(groupListStep(ctx, payloadOf(step, ['url']), tally));
      case 'groupIds':
        return followUps(groupIdsStep(ctx, payloadOf(step, ['ids']), tally));
      case 'usersDelta':
        return followUps(usersDeltaStep(ctx, payloadOf(step, ['url']), tally));
      case 'groupsDelta':
        return followUps(groupsDeltaStep(ctx, payloadOf(step, ['url']), tally));
      case 'members':
        return followUps(membersStep(ctx, membershipPayload(step), tally));
      case 'memberEdges':
        return followUps(memberEdgesStep(ctx, membershipPayload(step), tally));
      case 'fanOut':
        return followUps(fanOutStep(ctx, payloadOf<FanOutPayload>(step, ['mode'])));
      case 'unseenUsers':
        return followUps(unseenUsersStep(ctx, payloadOf<PagePayload>(step, []), tally));
      case 'unseenGroups':
        return followUps(unseenGroupsStep(ctx, payloadOf<PagePayload>(step, []), tally));
      case 'cleanUp':
        return followUps(cleanUpStep(ctx));
      case 'settleJournal':
        return followUps(settleJournalStep(ctx, payloadOf<PagePayload>(step, [])));
      default:
        throw new SyncStepFailedError(`Unknown step kind "${step.kind}".`);
    }
  }

  private async start(ctx: SyncContext, run: SyncRunContext): Promise<StepAnswer> {
    const [state, journalLeft] = await Promise.all([ctx.store.getState(), ctx.dryRun ? false : ctx.store.hasJournalExcept(ctx.runId)]);
    // Changes a failed run may have left between the two sides of memberships are settled alongside this run's work.
    const settling: SyncStepRequest[] = journalLeft ? [{ kind: 'settleJournal', payload: {} }] : [];
    const lastFull = state.lastFullAt === undefined ? undefined : Date.parse(state.lastFullAt);
    const deltaPossible =
      run.kind === 'delta' &&
      state.usersDeltaLink !== undefined &&
      state.groupsDeltaLink !== undefined &&
      state.selectKey === settingsKey(ctx.settings) &&
      lastFull !== undefined &&
      this.now().getTime() - lastFull < this.fullRunIntervalMs;
    if (!deltaPossible) return { kind: 'full', followUps: [...settling, ...(await this.fullStart(ctx))] };
    return {
      followUps: [
        ...settling,
        { kind: 'usersDelta', payload: { url: state.usersDeltaLink as string } },
        { kind: 'groupsDelta', payload: { url: state.groupsDeltaLink as string } },
      ],
    };
  }

  /** A full run's first stage: the delta links of now (not for a dry run), then the user and group lists. */
  private async fullStart(ctx: SyncContext): Promise<SyncStepRequest[]> {
    const { client, settings } = ctx;
    if (!ctx.dryRun) {
      const latest = async (url: string): Promise<string | undefined> => (await client.getPage(`${url}&$deltatoken=latest`)).deltaLink;
      const [usersDeltaLink, groupsDeltaLink] = await Promise.all([latest(deltaStartUrl(client, 'users', userSelect(settings))), latest(deltaStartUrl(client, 'groups', GROUP_DELTA_SELECT))]);
      await ctx.store.mergePlan(ctx.runId, { ...(usersDeltaLink === undefined ? {} : { usersDeltaLink }), ...(groupsDeltaLink === undefined ? {} : { groupsDeltaLink }) });
    }
    const steps: SyncStepRequest[] = [{ kind: 'users', payload: { url: client.url('/users', { select: userSelect(settings), top: GRAPH_MAX_PAGE_SIZE }) } }];
    for (const url of groupListUrls(client, settings)) steps.push({ kind: 'groups', payload: { url } });
    if (settings.groupSelection.mode === 'groupIds') {
      const ids = settings.groupSelection.groupIds;
      for (let index = 0; index < ids.length; index += GROUP_IDS_PER_STEP) steps.push({ kind: 'groupIds', payload: { ids: ids.slice(index, index + GROUP_IDS_PER_STEP) } });
    }
    return steps;
  }

  private async drained(ctx: SyncContext, run: SyncRunContext, phase: number): Promise<StepAnswer> {
    const plan = await ctx.store.getPlan(ctx.runId);
    if (run.kind === 'delta') {
      switch (phase) {
        case 0:
          if (plan.resync === true) {
            await ctx.store.mergePlan(ctx.runId, { fullFromPhase: 1 });
            return { kind: 'full', followUps: await this.fullStart(ctx) };
          }
          return { followUps: [{ kind: 'fanOut', payload: { mode: 'affected' } }, ...(ctx.dryRun ? [{ kind: 'fanOut', payload: { mode: 'dryCreated' } }] : [])] };
        case 1:
          await storeEndState(ctx, 'delta', settingsKey(ctx.settings));
          return { followUps: [{ kind: 'cleanUp', payload: {} }] };
        default:
          return { followUps: [] };
      }
    }
    switch (phase - (plan.fullFromPhase ?? 0)) {
      case 0:
        return { followUps: [{ kind: 'fanOut', payload: { mode: 'seen' } }] };
      case 1:
        return { followUps: [{ kind: 'unseenUsers', payload: {} }, { kind: 'unseenGroups', payload: {} }] };
      case 2:
        await storeEndState(ctx, 'full', settingsKey(ctx.settings));
        return { followUps: [{ kind: 'cleanUp', payload: {} }] };
      default:
        return { followUps: [] };
    }
  }
}
