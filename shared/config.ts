// The one settings object of the product. Read once at start-up from the environment (Azure app settings, or
// local.settings.json `Values` merged into the environment by the local host) and validated with zod; a bad or
// missing setting is reported by name, all of them at once.
import { z } from 'zod';
import { parseNcrontab } from './sync-runs/ncrontab.js';

/** When the Graph sync's timer fires unless GRAPH_SYNC_SCHEDULE says otherwise: 02:00 UTC every night. */
export const DEFAULT_GRAPH_SYNC_SCHEDULE = '0 0 2 * * *';

const ncrontabProblem = (schedule: string): string | undefined => {
  try {
    parseNcrontab(schedule);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

/** Days the provisioning log keeps entries unless PROVISIONING_LOG_RETENTION_DAYS says otherwise. */
export const DEFAULT_PROVISIONING_LOG_RETENTION_DAYS = 30;

/** Every app setting the product code reads. The Bicep in infra/ must set exactly these (see test/infra). */
export const settingsSchema = z
  .object({
    /** Connection string for Table Storage (Azurite locally, `UseDevelopmentStorage=true` works). */
    AzureWebJobsStorage: z.string().min(1).optional(),
    /** Identity-based storage (Azure): the account's table endpoint, e.g. https://acct.table.core.windows.net */
    AzureWebJobsStorage__tableServiceUri: z.url().optional(),
    /** Identity-based storage: the account's queue endpoint, where the Graph sync sends its steps (the host reads it too). */
    AzureWebJobsStorage__queueServiceUri: z.url().optional(),
    /** Identity-based storage: which credential the Functions host uses; `managedidentity` in Azure. */
    AzureWebJobsStorage__credential: z.string().optional(),
    /** Identity-based storage: client id of the user-assigned managed identity. */
    AzureWebJobsStorage__clientId: z.string().optional(),
    /** Client id of the user-assigned managed identity, read by DefaultAzureCredential. */
    AZURE_CLIENT_ID: z.string().optional(),
    /** Key Vault that holds integration secret tokens. Unset: the local secret store is used. */
    KEY_VAULT_URL: z.url().optional(),
    /** Application Insights; unset locally, where telemetry stays off. */
    APPLICATIONINSIGHTS_CONNECTION_STRING: z.string().optional(),
    /** Where the local secret store keeps its file when KEY_VAULT_URL is unset. */
    LOCAL_SECRET_STORE_PATH: z.string().optional(),
    /** NCRONTAB (six fields, seconds first, UTC) of the Graph sync timer, read by the host as %GRAPH_SYNC_SCHEDULE%. */
    GRAPH_SYNC_SCHEDULE: z
      .string()
      .default(DEFAULT_GRAPH_SYNC_SCHEDULE)
      .superRefine((schedule, context) => {
        const problem = ncrontabProblem(schedule);
        if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
      }),
    /** Whole days the provisioning log keeps its entries; a daily timer deletes older days. */
    PROVISIONING_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(DEFAULT_PROVISIONING_LOG_RETENTION_DAYS),
    /**
     * Application (client) id of the app registration the admin page signs in with (App Service built-in
     * authentication, set up by the Bicep when the operator supplies it). A signed-in principal's `aud` must name it.
     */
    ADMIN_AUTH_CLIENT_ID: z.uuid().optional(),
    /** Set by the platform (never an app setting): `True` while App Service built-in authentication is on. */
    WEBSITE_AUTH_ENABLED: z
      .string()
      .optional()
      .transform((value) => value?.toLowerCase() === 'true'),
    /** Set by the platform (never an app setting): the app's default host name, where the admin API checks function keys. */
    WEBSITE_HOSTNAME: z.string().optional(),
  })
  .refine((s) => s.AzureWebJobsStorage !== undefined || s.AzureWebJobsStorage__tableServiceUri !== undefined, {
    message: 'set AzureWebJobsStorage (a connection string) or AzureWebJobsStorage__tableServiceUri (identity-based)',
    path: ['AzureWebJobsStorage'],
  });

export type Settings = z.infer<typeof settingsSchema>;

/** Names of every setting the product reads, for the infra parity test and for documentation. */
export const settingNames: readonly string[] = Object.keys(settingsSchema.shape);

export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

/** Parses settings from an environment-like record; throws SettingsError naming every bad setting. */
export function parseSettings(env: Record<string, string | undefined>): Settings {
  const picked: Record<string, string> = {};
  for (const name of settingNames) {
    const value = env[name];
    if (value !== undefined && value !== '') picked[name] = value;
  }
  const result = settingsSchema.safeParse(picked);
  if (!result.success) {
    throw new SettingsError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(settings)'}: ${issue.message}`),
    );
  }
  return result.data;
}

let cached: Settings | undefined;

/** The settings of this process, read from process.env on first use. */
export function settings(): Settings {
  cached ??= parseSettings(process.env);
  return cached;
}

/** For tests and the local host: forget the cached settings so the next read sees a new environment. */
export function resetSettingsForTests(): void {
  cached = undefined;
}
