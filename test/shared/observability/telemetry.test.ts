import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { setupTelemetry } from '../../../shared/observability/telemetry.js';

const connectionString = [
  'InstrumentationKey=00000000-0000-0000-0000-000000000000',
  'IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/',
  'LiveEndpoint=https://westeurope.livediagnostics.monitor.azure.com/',
].join(';');

describe('setupTelemetry', () => {
  it('is off locally, where the connection string is unset or blank', () => {
    expect(setupTelemetry({})).toMatchObject({ mode: 'off', problems: [] });
    expect(setupTelemetry({ APPLICATIONINSIGHTS_CONNECTION_STRING: '  ' }).mode).toBe('off');
  });

  it('leaves export to the Functions host in Azure', () => {
    const setup = setupTelemetry({
      APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString,
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=11111111-1111-1111-1111-111111111111;Authorization=AAD',
    });
    expect(setup).toEqual({
      mode: 'functions-host',
      reason: expect.stringContaining('Functions host') as string,
      problems: [],
    });
  });

  it('reports a malformed connection string without throwing and without echoing it', () => {
    const setup = setupTelemetry({ APPLICATIONINSIGHTS_CONNECTION_STRING: 'not-a-connection-string' });
    expect(setup.mode).toBe('functions-host');
    expect(setup.problems).toHaveLength(2);
    expect(JSON.stringify(setup)).not.toContain('not-a-connection-string');
  });

  it('never returns any part of the connection string', () => {
    expect(JSON.stringify(setupTelemetry({ APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString }))).not.toMatch(
      /00000000|westeurope/,
    );
  });

  it('reads process.env by default', () => {
    const saved = process.env.APPLICATIONINSIGHTS_CONNECTION_STRING;
    try {
      delete process.env.APPLICATIONINSIGHTS_CONNECTION_STRING;
      expect(setupTelemetry().mode).toBe('off');
      process.env.APPLICATIONINSIGHTS_CONNECTION_STRING = connectionString;
      expect(setupTelemetry().mode).toBe('functions-host');
    } finally {
      if (saved === undefined) delete process.env.APPLICATIONINSIGHTS_CONNECTION_STRING;
      else process.env.APPLICATIONINSIGHTS_CONNECTION_STRING = saved;
    }
  });
});

describe('host.json: the platform request telemetry', () => {
  it('records invocations without their URLs, whose filters quote UPNs (docs/operations.md)', () => {
    const host = JSON.parse(readFileSync(new URL('../../../host.json', import.meta.url), 'utf8'));
    expect(host.logging.applicationInsights.httpAutoCollectionOptions.enableHttpTriggerExtendedInfoCollection).toBe(false);
    expect(host.telemetryMode ?? 'ApplicationInsights').toBe('ApplicationInsights');
  });
});
