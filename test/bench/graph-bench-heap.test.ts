// The Graph bench runs the sync's process with the V8 heap it gets on the Function App's instance, not the bench
// machine's (docs/graph-bench.md, "Fifth pass"). Node sizes V8's heap from the memory its cgroup allows
// (SetIsolateCreateParamsForNode: uv_get_constrained_memory), and V8 gives the old generation a quarter of that times
// two on 64-bit without pointer compression (Heap::HeapSizeFromPhysicalMemory): 1,024 MB on the 2,048 MB Flex Consumption
// instance `azd up` deploys by default, against 4,096 MB on a machine of 15 GB or more, where V8 lets the heap grow to
// four times its live size before a major collection instead of 1.6 times. The script's flag follows the instance size
// the deployment's parameters default to.
import { describe, expect, it } from 'vitest';
import { readRepoFile } from '../infra/bicep-text.js';

describe('npm run bench:graph', () => {
  it('runs the sync with the old-generation size V8 gets on the deployed instance', () => {
    const script = (JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> }).scripts['bench:graph'] ?? '';
    const flag = /--max-old-space-size=(\d+)/.exec(script)?.[1];
    const parameters = JSON.parse(readRepoFile('infra/main.parameters.json')) as { parameters: Record<string, { value: string }> };
    const instanceMemoryMB = /^\$\{AZURE_FUNCTION_INSTANCE_MEMORY_MB=(\d+)\}$/.exec(parameters.parameters.instanceMemoryMB?.value ?? '')?.[1];
    expect(instanceMemoryMB).toBeDefined();
    expect(Number(flag)).toBe((Number(instanceMemoryMB) / 4) * 2);
  });
});
