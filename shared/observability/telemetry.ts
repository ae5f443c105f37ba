// Where telemetry goes, decided once at start-up. The least-dependency design that works on Flex Consumption:
//
// - In Azure the Functions host already is the Application Insights client. It records every invocation as a
//   request (without its URL: host.json turns off the HTTP auto-collection, because SCIM filters in query strings
//   quote UPNs; docs/operations.md says what the platform still sees), and every `context.info/warn/error` of the worker (request-log.ts writes through those) reaches it over
//   the worker channel and is sent as a trace carrying the invocation's operation id. With
//   APPLICATIONINSIGHTS_CONNECTION_STRING and APPLICATIONINSIGHTS_AUTHENTICATION_STRING
//   (`Authorization=AAD;ClientId=<identity>`, a platform setting set by infra/app/api.bicep) the host authenticates
//   ingestion with the managed identity, so the component can keep local (key) auth disabled.
// - Locally nothing is set, the host (or local/) prints the same lines to the console, and nothing leaves the machine.
//
// So this module installs no SDK: an OpenTelemetry exporter in the worker would report requests the host already
// reports (unless host.json switches the host to OpenTelemetry mode) and needs dependencies that are not declared
// (`@azure/monitor-opentelemetry*` sit in node_modules only through a dev tool, so they are absent in Azure).
// What the host does not see is the worker's outgoing calls (Table Storage, Key Vault, Graph) as dependencies; the
// request log lines cover their outcome and duration. Should dependency tracing be wanted later, this is the one place
// to wire it: declare `@azure/monitor-opentelemetry` and `@azure/functions-opentelemetry-instrumentation`, set
// `"telemetryMode": "OpenTelemetry"` in host.json, and start the SDK here when the connection string is set.
//
// The module reads only APPLICATIONINSIGHTS_CONNECTION_STRING (a setting of shared/config.ts) and never returns it.

export type TelemetryMode = 'off' | 'functions-host';

export interface TelemetrySetup {
  readonly mode: TelemetryMode;
  /** One sentence for a start-up log line. Contains no part of the connection string. */
  readonly reason: string;
  /** What looks wrong with the setting; empty when nothing does. */
  readonly problems: readonly string[];
}

const SETTING = 'APPLICATIONINSIGHTS_CONNECTION_STRING';

function connectionStringProblems(connectionString: string): string[] {
  const keys = new Set(
    connectionString
      .split(';')
      .map((part) => part.split('=')[0]?.trim().toLowerCase() ?? '')
      .filter((key) => key !== ''),
  );
  const problems: string[] = [];
  if (!keys.has('instrumentationkey')) problems.push(`${SETTING} has no InstrumentationKey`);
  if (!keys.has('ingestionendpoint')) problems.push(`${SETTING} has no IngestionEndpoint; the global endpoint is used`);
  return problems;
}

/**
 * Decides where telemetry goes: `functions-host` when APPLICATIONINSIGHTS_CONNECTION_STRING is set (Azure), `off`
 * otherwise (local). Installs nothing and never throws: telemetry must not stop the product from starting.
 */
export function setupTelemetry(env: Readonly<Record<string, string | undefined>> = process.env): TelemetrySetup {
  const connectionString = env[SETTING]?.trim() ?? '';
  if (connectionString === '') {
    return { mode: 'off', reason: `${SETTING} is unset: telemetry stays off (local run)`, problems: [] };
  }
  return {
    mode: 'functions-host',
    reason: 'the Functions host sends requests and context logs to Application Insights',
    problems: connectionStringProblems(connectionString),
  };
}
