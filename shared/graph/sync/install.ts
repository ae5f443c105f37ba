// Installs the Graph sync planner as the run machinery's step handler, on this process's services (looked up when a
// step first runs, so importing this costs nothing).
import { type Services, services } from '../../services.js';
import { useSyncStepHandler } from '../../sync-runs/step-handler.js';
import { type GraphSyncDependencies, GraphSyncPlanner, type GraphSyncPlannerOptions } from './graph-sync-planner.js';

export function graphSyncDependencies(all: Services): GraphSyncDependencies {
  return { integrations: all.integrations, people: all.people, groups: all.groups, syncTable: all.tables.syncruns, provisioningLog: all.provisioningLog };
}

export function installGraphSyncPlanner(options: GraphSyncPlannerOptions = {}): GraphSyncPlanner {
  const planner = new GraphSyncPlanner(async () => graphSyncDependencies(await services()), options);
  useSyncStepHandler(planner);
  return planner;
}
