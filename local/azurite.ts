// An embedded Azurite (Table, Queue and Blob) started in-process from the `azurite` devDependency,
// so `npm start` and the tests need no separately running emulator. Data lives under `location`
// (survives restarts) or only in memory.
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { join } from 'node:path';

/** Azurite's well-known development account (public, documented; not a secret). */
export const DEV_ACCOUNT_NAME = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export type AzuriteService = 'table' | 'queue' | 'blob';

export interface StartAzuriteOptions {
  /** Directory for persistent data; required unless `inMemory`. */
  readonly location?: string;
  readonly inMemory?: boolean;
  /** 0 or absent picks a free port. */
  readonly tablePort?: number;
  readonly queuePort?: number;
  readonly blobPort?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default all three. */
  readonly services?: readonly AzuriteService[];
}

export interface RunningAzurite {
  /** Explicit-endpoint connection string for the dev account and the ports actually used. */
  readonly connectionString: string;
  /** e.g. `http://127.0.0.1:51234/devstoreaccount1` */
  readonly tableUrl: string;
  readonly queueUrl: string | undefined;
  readonly blobUrl: string | undefined;
  stop(): Promise<void>;
}

// Minimal shapes of the Azurite classes we use (the package ships no type declarations).
interface AzuriteServer {
  start(): Promise<void>;
  close(): Promise<void>;
  getHttpServerAddress(): string;
}
type ServerClass = new (configuration: unknown) => AzuriteServer;
type ConfigurationClass = new (...args: unknown[]) => unknown;

interface PersistenceLocation {
  locationId: string;
  locationPath: string;
  maxConcurrency: number;
}

function loadAzurite(relativePath: string): unknown {
  const require = createRequire(import.meta.url);
  return (require(`azurite/dist/src/${relativePath}`) as { default: unknown }).default;
}

interface ServiceSettings {
  readonly host: string;
  readonly port: number;
  readonly location: string;
  readonly inMemory: boolean;
}

// Positional arguments after (host, port, keepAliveTimeout, paths...): shared by all three configurations.
function commonTail(inMemory: boolean): unknown[] {
  const loose = true;
  const skipApiVersionCheck = true;
  const [cert, key, pwd, oauth, disableProductStyleUrl] = ['', '', '', undefined, false];
  return [loose, skipApiVersionCheck, cert, key, pwd, oauth, disableProductStyleUrl, inMemory];
}

function createTableServer(settings: ServiceSettings): AzuriteServer {
  const TableConfiguration = loadAzurite('table/TableConfiguration.js') as ConfigurationClass;
  const TableServer = loadAzurite('table/TableServer.js') as ServerClass;
  // (host, port, keepAliveTimeout, metadataDBPath, enableDebugLog, enableAccessLog, accessLogWriteStream, debugLogFilePath, ...)
  const configuration = new TableConfiguration(
    settings.host,
    settings.port,
    5,
    join(settings.location, '__azurite_db_table__.json'),
    false,
    false,
    undefined,
    undefined,
    ...commonTail(settings.inMemory),
  );
  return new TableServer(configuration);
}

function createExtentServer(kind: 'queue' | 'blob', settings: ServiceSettings): AzuriteServer {
  const prefix = kind === 'queue' ? 'queue/Queue' : 'blob/Blob';
  const Configuration = loadAzurite(`${prefix}Configuration.js`) as ConfigurationClass;
  const Server = loadAzurite(`${prefix}Server.js`) as ServerClass;
  const persistence: PersistenceLocation[] = [
    { locationId: 'Default', locationPath: join(settings.location, `__${kind}storage__`), maxConcurrency: 10 },
  ];
  // (host, port, keepAliveTimeout, metadataDBPath, extentDBPath, persistencePathArray, enableAccessLog,
  //  accessLogWriteStream, enableDebugLog, debugLogFilePath, ...)
  const configuration = new Configuration(
    settings.host,
    settings.port,
    5,
    join(settings.location, `__azurite_db_${kind}__.json`),
    join(settings.location, `__azurite_db_${kind}_extent__.json`),
    persistence,
    false,
    undefined,
    false,
    undefined,
    ...commonTail(settings.inMemory),
  );
  return new Server(configuration);
}

function portOf(server: AzuriteServer): number {
  const port = Number(new URL(server.getHttpServerAddress()).port);
  if (!Number.isInteger(port) || port <= 0) throw new Error('Azurite did not report its listening port.');
  return port;
}

/** Resolves once a TCP connection to host:port succeeds (retrying for up to `timeoutInMs`). */
export async function waitForPort(host: string, port: number, timeoutInMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutInMs;
  for (;;) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (connected) return;
    if (Date.now() > deadline) throw new Error(`Nothing accepts connections on ${host}:${port}.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startAzurite(options: StartAzuriteOptions = {}): Promise<RunningAzurite> {
  const inMemory = options.inMemory ?? false;
  if (!inMemory && !options.location) throw new Error('startAzurite needs a location unless inMemory is set.');
  const host = options.host ?? '127.0.0.1';
  const location = options.location ?? '';
  if (!inMemory) await mkdir(location, { recursive: true });
  const services = new Set<AzuriteService>(options.services ?? ['table', 'queue', 'blob']);
  services.add('table');

  const started = new Map<AzuriteService, AzuriteServer>();
  const stop = async () => {
    const servers = [...started.values()];
    started.clear();
    await Promise.allSettled(servers.map((server) => server.close()));
  };
  const settings = (port: number | undefined): ServiceSettings => ({ host, port: port ?? 0, location, inMemory });
  try {
    const factories: Record<AzuriteService, () => AzuriteServer> = {
      table: () => createTableServer(settings(options.tablePort)),
      queue: () => createExtentServer('queue', settings(options.queuePort)),
      blob: () => createExtentServer('blob', settings(options.blobPort)),
    };
    for (const service of services) {
      const server = factories[service]();
      await server.start();
      started.set(service, server);
      await waitForPort(host === '0.0.0.0' ? '127.0.0.1' : host, portOf(server));
    }
  } catch (error: unknown) {
    await stop();
    throw error;
  }

  const clientHost = host === '0.0.0.0' ? '127.0.0.1' : host;
  const endpoint = (service: AzuriteService) => {
    const server = started.get(service);
    return server ? `http://${clientHost}:${portOf(server)}/${DEV_ACCOUNT_NAME}` : undefined;
  };
  const tableUrl = endpoint('table') ?? '';
  const queueUrl = endpoint('queue');
  const blobUrl = endpoint('blob');
  const connectionString = [
    'DefaultEndpointsProtocol=http',
    `AccountName=${DEV_ACCOUNT_NAME}`,
    `AccountKey=${DEV_ACCOUNT_KEY}`,
    blobUrl && `BlobEndpoint=${blobUrl}`,
    queueUrl && `QueueEndpoint=${queueUrl}`,
    `TableEndpoint=${tableUrl}`,
  ]
    .filter(Boolean)
    .join(';');

  return { connectionString: `${connectionString};`, tableUrl, queueUrl, blobUrl, stop };
}
