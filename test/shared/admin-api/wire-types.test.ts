// The admin API's views against the wire types the admin page reads (shared/admin-api/wire-types.d.ts): checked by
// the typecheck (`npm run typecheck` compiles the tests), so a field renamed or retyped on the server without the page
// following fails the build instead of a screen. And the module itself: a declaration file is skipped by the
// projects' skipLibCheck, so it is compiled here on its own, strictly, and must import nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { entryView } from '../../../shared/admin-api/provisioning-log-api.js';
import type * as Wire from '../../../shared/admin-api/wire-types.js';
import type { IntegrationView } from '../../../shared/directory/integrations.js';
import type { AdminGroupView } from '../../../shared/directory/source-groups.js';
import type { GroupListItem } from '../../../shared/directory/targeting/groups-across-sources.js';
import type { DataSourceAttribute, TargetingAttributeView } from '../../../shared/directory/targeting/targeting-attributes.js';
import type { runView } from '../../../shared/sync-runs/sync-runs-api.js';
import { repoRoot } from '../../infra/bicep-text.js';

const WIRE_TYPES = join(repoRoot, 'shared', 'admin-api', 'wire-types.d.ts');

describe('the wire types of the admin page', () => {
  it('are what the API answers', () => {
    expectTypeOf<IntegrationView>().toExtend<Wire.Integration>();
    expectTypeOf<AdminGroupView>().toExtend<Wire.AdminGroup>();
    expectTypeOf<GroupListItem>().toExtend<Wire.SourceGroup>();
    expectTypeOf<TargetingAttributeView>().toExtend<Wire.TargetingAttribute>();
    expectTypeOf<DataSourceAttribute>().toExtend<Wire.DataSourceAttribute>();
    expectTypeOf<ReturnType<typeof entryView>>().toExtend<Wire.ProvisioningLogEntry>();
    expectTypeOf<ReturnType<typeof runView>>().toExtend<Wire.SyncRun>();
  });

  it('compile on their own, strictly, importing nothing', () => {
    const program = ts.createProgram([WIRE_TYPES], { strict: true, noEmit: true, skipLibCheck: false, types: [], lib: ['lib.es2023.d.ts'] });
    const problems = ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    expect(problems).toEqual([]);
    expect(readFileSync(WIRE_TYPES, 'utf8')).not.toMatch(/^\s*(import|export .* from)\b/m);
  });
});
