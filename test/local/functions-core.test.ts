import { createRequire } from 'node:module';
import azureFunctions from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { installFunctionsCore } from '../../local/functions-core.js';
import { createInvocationContext, invokeFunction, runAppStartHooks } from '../../local/invocation.js';

// Installed before the first `app.*` call: `@azure/functions` caches its lookup of the core module.
const registry = installFunctionsCore();
const { app } = azureFunctions;

app.http('coreHttp', { route: 'things/{id}', methods: ['GET', 'PATCH'], authLevel: 'function', handler: () => ({}) });
app.http('coreDefaults', { handler: () => ({}) });
app.timer('coreTimer', { schedule: '0 */5 * * * *', runOnStartup: false, handler: () => undefined });
app.storageQueue('coreQueue', { queueName: 'graph-sync', connection: 'AzureWebJobsStorage', handler: () => undefined });

describe('installFunctionsCore', () => {
  it('is idempotent and answers require("@azure/functions-core")', () => {
    expect(installFunctionsCore()).toBe(registry);
    const core = createRequire(import.meta.url)('@azure/functions-core') as Record<string, unknown>;
    expect(typeof core.registerFunction).toBe('function');
    expect(typeof core.registerHook).toBe('function');
    expect(typeof core.getProgrammingModel).toBe('function');
  });

  it('receives the programming model of @azure/functions', () => {
    expect((registry.programmingModel as { name?: string }).name).toBe('@azure/functions');
  });

  it('records HTTP registrations with route, methods and authLevel', () => {
    const [registration] = registry.httpFunctions().filter((f) => f.name === 'coreHttp');
    expect(registration?.trigger).toMatchObject({
      type: 'httpTrigger',
      route: 'things/{id}',
      methods: ['GET', 'PATCH'],
      authLevel: 'function',
    });
    expect(registration?.metadata.bindings.$return).toMatchObject({ type: 'http', direction: 'out' });
    expect(registry.get('COREDEFAULTS')?.trigger).toMatchObject({ methods: ['GET', 'POST'], authLevel: 'anonymous' });
  });

  it('records timer and queue registrations, looked up by trigger type', () => {
    expect(registry.timerFunctions().map((f) => [f.name, f.trigger.schedule])).toEqual([
      ['coreTimer', '0 */5 * * * *'],
    ]);
    expect(registry.queueFunctions().map((f) => [f.name, f.trigger.queueName, f.trigger.connection])).toEqual([
      ['coreQueue', 'graph-sync', 'AzureWebJobsStorage'],
    ]);
    expect(registry.byTriggerType('TimerTrigger')).toHaveLength(1);
    expect(registry.functions.map((f) => f.name)).toEqual(['coreHttp', 'coreDefaults', 'coreTimer', 'coreQueue']);
  });

  it('rejects a second function with the same name', () => {
    expect(() => app.http('coreHttp', { handler: () => ({}) })).toThrow(/already been registered/);
  });

  it('runs appStart, preInvocation and postInvocation hooks around a handler', async () => {
    const seen: string[] = [];
    const appStart = app.hook.appStart((context) => {
      context.hookData.started = true;
      seen.push('appStart');
    });
    const pre = app.hook.preInvocation((context) => {
      seen.push(`pre:${context.invocationContext.functionName}`);
      const original = context.functionHandler;
      context.functionHandler = (...args: unknown[]) => {
        seen.push('wrapped');
        return (original as (...a: unknown[]) => unknown)(...args);
      };
    });
    const post = app.hook.postInvocation((context) => {
      seen.push(`post:${String(context.error)}`);
      context.result = 'changed by hook';
    });
    try {
      await runAppStartHooks(registry, process.cwd());
      expect(registry.appHookData.started).toBe(true);
      const timer = registry.get('coreTimer');
      if (!timer) throw new Error('coreTimer missing');
      const lines: string[] = [];
      const context = createInvocationContext(timer, { log: (line) => lines.push(line) });
      context.log('hello', 42);
      const result = await invokeFunction(registry, timer, [{ isPastDue: false }], context);
      expect(result).toBe('changed by hook');
      expect(seen).toEqual(['appStart', 'pre:coreTimer', 'wrapped', 'post:undefined']);
      expect(lines).toEqual([expect.stringMatching(/^\[information\] coreTimer \(.+\): hello 42$/)]);
      expect(context.options.trigger).toMatchObject({ type: 'timerTrigger', schedule: '0 */5 * * * *' });
    } finally {
      appStart.dispose();
      pre.dispose();
      post.dispose();
    }
    expect(registry.hooks('preInvocation')).toHaveLength(0);
  });

  it('lets a disposed registration disappear from the registry', () => {
    const core = createRequire(import.meta.url)('@azure/functions-core') as {
      registerFunction(metadata: unknown, handler: unknown): { dispose(): void };
    };
    const disposable = core.registerFunction(
      { name: 'coreTemporary', bindings: { t: { type: 'timerTrigger', direction: 'in', schedule: '* * * * * *' } } },
      () => undefined,
    );
    expect(registry.get('coreTemporary')).toBeDefined();
    disposable.dispose();
    expect(registry.get('coreTemporary')).toBeUndefined();
  });
});
