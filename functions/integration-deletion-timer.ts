import { app, type InvocationContext } from '@azure/functions';
import { createIntegrationDeletion } from '../shared/integration-deletion-services.js';
import { services } from '../shared/services.js';

/** How long one firing works on deletions (the next firing goes on). */
const FIRING_BUDGET_MS = 45_000;

/** Goes on with every integration being deleted (admin DELETE starts it); one summary line per firing that had work. */
export async function continueIntegrationDeletions(_timer: unknown, context: InvocationContext): Promise<void> {
  const outcomes = await createIntegrationDeletion(await services()).continueAll(Date.now() + FIRING_BUDGET_MS);
  if (Object.keys(outcomes).length > 0) context.log(JSON.stringify({ operation: 'integrationDeletion.timer', outcomes }));
}

// Every minute: a deletion waits out its quiet period, then removes a bounded page at a time until it is done.
app.timer('integrationDeletionTimer', {
  schedule: '0 * * * * *',
  handler: continueIntegrationDeletions,
});
