// A tiny step handler that proves the run machinery without Graph: `start` fans out `pages` page steps, each page
// counts users and may fan out member steps; the first `drained` barrier starts a one-step second phase, the second
// ends the run. Failures are scripted per step kind: transient (thrown `failuresLeft` times), fatal, or always.
import { SyncStepFailedError, type SyncStepHandler, type SyncStepResult } from '../../shared/sync-runs/step-handler.js';

export interface FakePlan {
  pages: number;
  membersPerPage?: number;
  /** Kind → deliveries that throw a plain (retryable) error before the step succeeds. */
  transientFailures?: Record<string, number>;
  /** Kinds that throw SyncStepFailedError (the run fails at once). */
  fatalKinds?: string[];
  /** Kinds that always throw, with Graph's request id on the error. */
  brokenKinds?: string[];
}

export interface FakeHandler extends SyncStepHandler {
  /** Every delivery the handler saw, as `kind` or `kind:payload`. */
  readonly calls: string[];
}

class FakeGraphError extends Error {
  readonly requestId = 'req-0000-fake';
}

export function fakeStepHandler(plan: FakePlan): FakeHandler {
  const failuresLeft = new Map(Object.entries(plan.transientFailures ?? {}));
  const calls: string[] = [];
  return {
    calls,
    async handle(_run, step): Promise<SyncStepResult> {
      calls.push(step.kind === 'start' ? 'start' : `${step.kind}:${JSON.stringify(step.payload)}`);
      await Promise.resolve();
      const left = failuresLeft.get(step.kind) ?? 0;
      if (left > 0) {
        failuresLeft.set(step.kind, left - 1);
        throw new Error(`transient failure of ${step.kind}`);
      }
      if (plan.fatalKinds?.includes(step.kind) === true) throw new SyncStepFailedError('Graph refused: Authorization_RequestDenied', 'req-fatal');
      if (plan.brokenKinds?.includes(step.kind) === true) throw new FakeGraphError(`${step.kind} keeps failing`);
      const payload = step.payload as Record<string, number>;
      switch (step.kind) {
        case 'start':
          return { counters: { graphRequests: 1 }, followUps: Array.from({ length: plan.pages }, (_, page) => ({ kind: 'page', payload: { page } })) };
        case 'page':
          return {
            counters: { graphRequests: 1, usersSeen: 10, usersMatched: 9, usersUnmatched: 1 },
            samples: { unmatchedUsers: [`unmatched-${payload.page}`] },
            followUps: Array.from({ length: plan.membersPerPage ?? 0 }, (_, member) => ({ kind: 'member', payload: { page: payload.page ?? 0, member } })),
          };
        case 'member':
          return { counters: { membershipsAdded: 1 } };
        case 'drained':
          return payload.phase === 0 ? { followUps: [{ kind: 'finish', payload: {} }] } : {};
        case 'finish':
          return { counters: { groupsRemoved: 2 }, errors: [{ message: 'group g1 could not be read', requestId: 'req-g1' }] };
        default:
          throw new SyncStepFailedError(`unknown step ${step.kind}`);
      }
    },
  };
}
