// Our stand-in for `@azure/functions-core`, the module the Azure Functions Node worker injects.
// `@azure/functions` calls `require('@azure/functions-core')` lazily the first time `app.*` or
// `app.hook.*` runs; when the module is missing it silently switches to "test mode" and registers
// nothing. We answer that require the way the real worker does: by hooking Node's CJS loader.
import { createRequire } from 'node:module';

export const FUNCTIONS_CORE_MODULE_ID = '@azure/functions-core';

export type AuthLevel = 'anonymous' | 'function' | 'admin';

/** One entry of `metadata.bindings`, as produced by `toCoreFunctionMetadata` in `@azure/functions`. */
export interface BindingInfo {
  readonly type: string;
  readonly name?: string;
  readonly direction?: 'in' | 'out' | 'inout';
  readonly [property: string]: unknown;
}

export interface HttpTriggerBinding extends BindingInfo {
  readonly route?: string;
  /** `app.http` defaults this to `['GET', 'POST']`; absent only for hand-written generic triggers. */
  readonly methods?: readonly string[];
  readonly authLevel?: AuthLevel;
}

export interface TimerTriggerBinding extends BindingInfo {
  readonly schedule: string;
  readonly runOnStartup?: boolean;
  readonly useMonitor?: boolean;
}

export interface QueueTriggerBinding extends BindingInfo {
  readonly queueName: string;
  readonly connection?: string;
}

export interface FunctionMetadata {
  readonly name: string;
  readonly bindings: Readonly<Record<string, BindingInfo>>;
  readonly retryOptions?: unknown;
}

export type FunctionHandler = (...args: unknown[]) => unknown;

export interface FunctionRegistration<TTrigger extends BindingInfo = BindingInfo> {
  readonly name: string;
  readonly metadata: FunctionMetadata;
  /** The single binding whose type ends in `Trigger` (`httpTrigger`, `timerTrigger`, `queueTrigger`, ...). */
  readonly trigger: TTrigger;
  readonly handler: FunctionHandler;
}

export type HookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation' | 'log';
export type HookCallback = (coreContext: Record<string, unknown>) => unknown;
export type SystemLogHandler = (level: string, message: string) => void;

export interface Registry {
  /** Every registration, in registration order. */
  readonly functions: readonly FunctionRegistration[];
  /** Increases on every change, so hosts can cache what they derive from the registry. */
  readonly revision: number;
  get(name: string): FunctionRegistration | undefined;
  /** Registrations whose trigger type equals `triggerType` (case-insensitive). */
  byTriggerType(triggerType: string): FunctionRegistration[];
  httpFunctions(): FunctionRegistration<HttpTriggerBinding>[];
  timerFunctions(): FunctionRegistration<TimerTriggerBinding>[];
  queueFunctions(): FunctionRegistration<QueueTriggerBinding>[];
  hooks(name: HookName): HookCallback[];
  /** Shared by every hook, as the worker's `appHookData`. */
  readonly appHookData: Record<string, unknown>;
  /** What `@azure/functions` passed to `setProgrammingModel` (its `ProgrammingModel`). */
  readonly programmingModel: unknown;
  /** Where system logs of `@azure/functions` go (the worker's `coreApi.log(level, 'system', message)`). */
  setSystemLogHandler(handler: SystemLogHandler): void;
}

const HOOK_NAMES: readonly HookName[] = ['appStart', 'appTerminate', 'preInvocation', 'postInvocation', 'log'];
const STATE_KEY = Symbol.for('entra-directory-provisioning.local.functions-core');

/** Same shape as the worker's `Disposable`. */
export class Disposable {
  #callOnDispose: (() => void) | undefined;

  constructor(callOnDispose: () => void) {
    this.#callOnDispose = callOnDispose;
  }

  static from(...disposables: { dispose(): void }[]): Disposable {
    return new Disposable(() => {
      for (const disposable of disposables) disposable.dispose();
    });
  }

  dispose(): void {
    const callback = this.#callOnDispose;
    this.#callOnDispose = undefined;
    callback?.();
  }
}

function isTriggerType(type: unknown): type is string {
  return typeof type === 'string' && /trigger$/i.test(type);
}

function toRegistration(metadata: unknown, handler: unknown): FunctionRegistration {
  if (typeof metadata !== 'object' || metadata === null) {
    throw new TypeError('registerFunction: metadata must be an object.');
  }
  const { name, bindings } = metadata as Partial<FunctionMetadata>;
  if (typeof name !== 'string' || name === '') {
    throw new TypeError('registerFunction: metadata.name must be a non-empty string.');
  }
  if (typeof handler !== 'function') {
    throw new TypeError(`registerFunction: the callback of function "${name}" must be a function.`);
  }
  const triggers = Object.entries(bindings ?? {}).filter(([, binding]) => isTriggerType(binding.type));
  const [first] = triggers;
  if (first === undefined || triggers.length > 1) {
    throw new Error(`Function "${name}" must have exactly one trigger binding; found ${triggers.length}.`);
  }
  const [bindingName, binding] = first;
  return {
    name,
    metadata: metadata as FunctionMetadata,
    trigger: { ...binding, name: binding.name ?? bindingName },
    handler: handler as FunctionHandler,
  };
}

function defaultSystemLog(level: string, message: string): void {
  if (level === 'warning' || level === 'error' || level === 'critical') {
    console.warn(`[functions ${level}] ${message}`);
  }
}

interface CoreState {
  readonly registry: Registry;
  readonly coreApi: Record<string, unknown>;
}

function createCoreState(): CoreState {
  const functions: FunctionRegistration[] = [];
  const hooks = new Map<HookName, HookCallback[]>(HOOK_NAMES.map((name) => [name, []]));
  let revision = 0;
  let programmingModel: unknown;
  let systemLog: SystemLogHandler = defaultSystemLog;

  const byTriggerType = (triggerType: string): FunctionRegistration[] =>
    functions.filter((f) => f.trigger.type.toLowerCase() === triggerType.toLowerCase());

  const registry: Registry = {
    get functions() {
      return functions;
    },
    get revision() {
      return revision;
    },
    get programmingModel() {
      return programmingModel;
    },
    appHookData: {},
    get: (name) => functions.find((f) => f.name.toLowerCase() === name.toLowerCase()),
    byTriggerType,
    httpFunctions: () => byTriggerType('httpTrigger'),
    timerFunctions: () => byTriggerType('timerTrigger') as FunctionRegistration<TimerTriggerBinding>[],
    queueFunctions: () => byTriggerType('queueTrigger') as FunctionRegistration<QueueTriggerBinding>[],
    hooks: (name) => [...(hooks.get(name) ?? [])],
    setSystemLogHandler: (handler) => {
      systemLog = handler;
    },
  };

  const coreApi = {
    version: '3.0.0-local',
    hostVersion: '4.0.0-local',
    Disposable,
    registerFunction(metadata: unknown, callback: unknown): Disposable {
      const registration = toRegistration(metadata, callback);
      if (registry.get(registration.name)) {
        throw new Error(`A function with the name "${registration.name}" has already been registered.`);
      }
      functions.push(registration);
      revision += 1;
      return new Disposable(() => {
        const index = functions.indexOf(registration);
        if (index >= 0) {
          functions.splice(index, 1);
          revision += 1;
        }
      });
    },
    registerHook(hookName: unknown, callback: unknown): Disposable {
      const list = typeof hookName === 'string' ? hooks.get(hookName as HookName) : undefined;
      if (list === undefined) {
        throw new RangeError(`Unrecognized hook "${String(hookName)}".`);
      }
      if (typeof callback !== 'function') {
        throw new TypeError(`The callback of hook "${String(hookName)}" must be a function.`);
      }
      const hook = callback as HookCallback;
      list.push(hook);
      return new Disposable(() => {
        const index = list.indexOf(hook);
        if (index >= 0) list.splice(index, 1);
      });
    },
    setProgrammingModel(model: unknown): void {
      programmingModel = model;
    },
    getProgrammingModel(): unknown {
      return programmingModel;
    },
    log(level: string, _category: string, message: string): void {
      systemLog(level, message);
    },
  };

  return { registry, coreApi };
}

type ModuleLoad = (request: string, parent: unknown, isMain: boolean) => unknown;

function hookModuleLoader(coreApi: unknown): void {
  const require = createRequire(import.meta.url);
  const moduleBuiltin = require('node:module') as { _load: ModuleLoad };
  const originalLoad = moduleBuiltin._load;
  moduleBuiltin._load = function loadWithFunctionsCore(this: unknown, request, parent, isMain) {
    if (request === FUNCTIONS_CORE_MODULE_ID) return coreApi;
    return originalLoad.call(this, request, parent, isMain);
  };
}

/**
 * Makes `require('@azure/functions-core')` return our implementation and returns the registry it
 * fills. Idempotent (one registry per process). Call it before any module that calls `app.*` is
 * imported: `@azure/functions` caches the outcome of its first lookup.
 */
export function installFunctionsCore(): Registry {
  const holder = globalThis as { [STATE_KEY]?: CoreState };
  const existing = holder[STATE_KEY];
  if (existing) return existing.registry;
  const state = createCoreState();
  hookModuleLoader(state.coreApi);
  holder[STATE_KEY] = state;
  return state.registry;
}
