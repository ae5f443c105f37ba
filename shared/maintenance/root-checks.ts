// The integrations table (the root: nothing derives it, so only rows outside its layout are reported) and the
// attribute catalog (rows per integration: each must belong to one that exists, under the key its path gives it).
import { encodeKey } from '../storage/keys.js';
import { PARTITION as INTEGRATIONS_PARTITION } from '../storage/integration-repository.js';
import { at, type RowCheck } from './check-context.js';
import { deleteIfUnchanged } from './table-rows.js';

const INTEGRATION_ID = /^[a-z0-9]{1,64}$/;

export const checkIntegrationRow: RowCheck = async (row, context) => {
  if (row.partitionKey === INTEGRATIONS_PARTITION && INTEGRATION_ID.test(row.rowKey)) return;
  await context.report({ kind: 'unknown-row', ...at('integrations', row), detail: 'not an integration row (its keys are not those of an integration)' });
};

export const checkCatalogRow: RowCheck = async (row, context) => {
  if (!context.integrations.has(row.partitionKey)) {
    return context.report(
      { kind: 'orphan-catalog-row', ...at('attributes', row), detail: `a catalog row of integration ${row.partitionKey}, which does not exist` },
      () => deleteIfUnchanged(context.tables.attributes, row),
    );
  }
  if (typeof row.path !== 'string' || row.rowKey !== encodeKey(row.path.toLowerCase())) {
    await context.report({ kind: 'misplaced-row', ...at('attributes', row), detail: 'the row key is not the encoded path the row holds' });
  }
};
