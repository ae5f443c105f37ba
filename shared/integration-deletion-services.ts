// Wiring of the integration deletion (directory/integration-deletion.ts) on the repositories of one process's services.
// The admin route starts a deletion, the timer (functions/integration-deletion-timer.ts) finishes it; tests build
// their own with a clock they control.
import { IntegrationDeletion, type IntegrationDeletionOptions } from './directory/integration-deletion.js';
import type { Services } from './services.js';
import { IntegrationRepository } from './storage/integration-repository.js';
import { IntegrationRowsRepository } from './storage/integration-rows-purge.js';
import { PeopleRepository } from './storage/people-repository.js';

export function createIntegrationDeletion(all: Pick<Services, 'tables' | 'secrets' | 'people' | 'targetingAttributes'>, options: IntegrationDeletionOptions = {}): IntegrationDeletion {
  return new IntegrationDeletion(
    new IntegrationRepository(all.tables.integrations),
    new PeopleRepository(all.tables.people),
    all.people,
    new IntegrationRowsRepository(all.tables),
    all.targetingAttributes,
    all.secrets,
    options,
  );
}
