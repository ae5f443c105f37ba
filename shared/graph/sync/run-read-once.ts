// A read one process makes once for a sync run and shares with every step of that run it handles (the last run's
// only: a step of another run replaces it). A failed read is not kept: the step's next delivery reads again. With
// `idleMs`, the value is dropped when no step has asked for it that long.
import type { SyncContext } from './sync-context.js';

export class RunReadOnce<T> {
  private held: { readonly key: string; readonly value: Promise<T>; idle?: NodeJS.Timeout } | undefined;

  constructor(private readonly idleMs?: number) {}

  get(ctx: Pick<SyncContext, 'integrationId' | 'runId'>, read: () => Promise<T>): Promise<T> {
    const key = `${ctx.integrationId}/${ctx.runId}`;
    if (this.held?.key !== key) {
      const value = read();
      this.held = { key, value };
      value.catch(() => {
        if (this.held?.value === value) this.held = undefined;
      });
    }
    const held = this.held;
    if (this.idleMs !== undefined) {
      clearTimeout(held.idle);
      held.idle = setTimeout(() => {
        if (this.held === held) this.held = undefined;
      }, this.idleMs).unref();
    }
    return held.value;
  }
}
