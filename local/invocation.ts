// Runs one registered function the way the worker does: build the InvocationContext, run the
// preInvocation hooks, call the handler as `handler(...inputs, context)`, run the postInvocation
// hooks. Shared by every trigger the local host serves (HTTP now; timer and queue later).
import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import azureFunctions from '@azure/functions';
import type { EffectiveFunctionOptions, FunctionOutput, FunctionTrigger, InvocationContextInit } from '@azure/functions';
import type { BindingInfo, FunctionHandler, FunctionRegistration, Registry } from './functions-core.js';

// `@azure/functions` is a webpack bundle: Node's ESM loader cannot see its classes as named exports.
const { InvocationContext } = azureFunctions;
type InvocationContext = InstanceType<typeof InvocationContext>;

export interface CreateInvocationContextOptions {
  /** Receives one formatted line per `context.log/info/warn/...` call. */
  log: (line: string) => void;
  invocationId?: string;
  triggerMetadata?: InvocationContextInit['triggerMetadata'];
}

/** The `context.options` the worker derives from the registered bindings (`fromRpcBindings`). */
export function toEffectiveOptions(registration: FunctionRegistration): EffectiveFunctionOptions {
  const extraInputs: BindingInfo[] = [];
  const extraOutputs: BindingInfo[] = [];
  let returnBinding: BindingInfo | undefined;
  for (const [name, binding] of Object.entries(registration.metadata.bindings)) {
    if (/trigger$/i.test(binding.type)) continue;
    const named = { ...binding, name };
    if (name === '$return') returnBinding = named;
    else if (binding.direction === 'in') extraInputs.push(named);
    else if (binding.direction === 'out') extraOutputs.push(named);
  }
  return {
    trigger: registration.trigger as unknown as FunctionTrigger,
    return: returnBinding as unknown as FunctionOutput | undefined,
    extraInputs: extraInputs as unknown as EffectiveFunctionOptions['extraInputs'],
    extraOutputs: extraOutputs as unknown as EffectiveFunctionOptions['extraOutputs'],
  };
}

export function createInvocationContext(
  registration: FunctionRegistration,
  options: CreateInvocationContextOptions,
): InvocationContext {
  const invocationId = options.invocationId ?? randomUUID();
  return new InvocationContext({
    invocationId,
    functionName: registration.name,
    triggerMetadata: options.triggerMetadata,
    options: toEffectiveOptions(registration),
    logHandler: (level, ...args) => {
      options.log(`[${level}] ${registration.name} (${invocationId}): ${format(...args)}`);
    },
  });
}

/**
 * Calls the handler with `(...inputs, context)` between the preInvocation and postInvocation hooks.
 * Hooks may replace the handler or the inputs (pre) and the result or the error (post), as in Azure.
 */
export async function invokeFunction(
  registry: Registry,
  registration: FunctionRegistration,
  inputs: unknown[],
  context: InvocationContext,
): Promise<unknown> {
  const hookData: Record<string, unknown> = {};
  const preContext: Record<string, unknown> = {
    hookData,
    appHookData: registry.appHookData,
    invocationContext: context,
    inputs: [...inputs],
    functionCallback: registration.handler,
  };
  for (const hook of registry.hooks('preInvocation')) await hook(preContext);

  const finalInputs = preContext.inputs as unknown[];
  const handler = preContext.functionCallback as FunctionHandler;
  const postContext: Record<string, unknown> = {
    hookData,
    appHookData: registry.appHookData,
    invocationContext: context,
    inputs: finalInputs,
  };
  try {
    postContext.result = await handler(...finalInputs, context);
  } catch (error: unknown) {
    postContext.error = error;
  }
  for (const hook of registry.hooks('postInvocation')) await hook(postContext);

  if (postContext.error !== undefined && postContext.error !== null) {
    // Rethrow exactly what the handler (or a hook) produced, as the worker does.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw postContext.error;
  }
  return postContext.result;
}

async function runAppHooks(registry: Registry, name: 'appStart' | 'appTerminate', functionAppDirectory: string) {
  const context = { hookData: registry.appHookData, appHookData: registry.appHookData, functionAppDirectory };
  for (const hook of registry.hooks(name)) await hook(context);
}

/** Runs `app.hook.appStart` callbacks; call once after the function modules are imported. */
export async function runAppStartHooks(registry: Registry, functionAppDirectory: string): Promise<void> {
  await runAppHooks(registry, 'appStart', functionAppDirectory);
}

/** Runs `app.hook.appTerminate` callbacks; call once on shutdown. */
export async function runAppTerminateHooks(registry: Registry, functionAppDirectory: string): Promise<void> {
  await runAppHooks(registry, 'appTerminate', functionAppDirectory);
}
