// The deployment package, proven to run: built once by the same code as `npm run package`, unpacked from its zip into
// an empty folder, its package.json `main` entry points loaded by Node from there (so every import resolves against
// the package's own node_modules, as in Azure: a missing runtime dependency or a dev-only import fails here), and a
// SCIM request and an admin request answered against the test run's Azurite. The registrations are recorded by the
// local stand-in for the worker (local/functions-core.ts) and served by the local HTTP host, both from this
// repository, not from the package.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeploymentPackage, type DeploymentPackage } from '../../local/deployment-package.js';
import { expandMainPattern, readMainPattern } from '../../local/function-modules.js';
import { installFunctionsCore } from '../../local/functions-core.js';
import { type HttpHost, startHttpHost } from '../../local/http-host.js';
import { runAppStartHooks } from '../../local/invocation.js';
import { readHostJson } from '../../local/settings-file.js';
import { extractZip } from '../../local/zip-archive.js';
import { repoRoot } from '../infra/bicep-text.js';

const FUNCTIONS_KEY = 'package-test-key';
const rootPackage = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};

let workDir: string;
let built: DeploymentPackage;
let unpacked: string;
let host: HttpHost | undefined;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'deployment-package-'));
  built = await buildDeploymentPackage({ root: repoRoot, outDir: join(workDir, 'build') });
  unpacked = join(workDir, 'unpacked');
  await extractZip(built.zipPath, unpacked);
}, 240_000);

afterAll(async () => {
  await host?.close();
  await rm(workDir, { recursive: true, force: true });
});

describe('the deployment package', () => {
  it('holds the compiled product code, host.json, package.json and node_modules, nothing else', async () => {
    expect((await readdir(unpacked)).sort()).toEqual(['dist', 'host.json', 'node_modules', 'package.json']);
    expect((await readdir(join(unpacked, 'dist'))).sort()).toEqual(['functions', 'shared', 'web']);
    expect(await readdir(join(unpacked, 'dist', 'web', 'admin'))).toEqual(expect.arrayContaining(['index.html', 'admin.css', 'main.js']));
    const compiled = await readdir(join(unpacked, 'dist'), { recursive: true });
    expect(compiled.filter((file) => /\.(ts|map)$/.test(file))).toEqual([]);
  });

  it('has a package.json without scripts or devDependencies, whose main is the function modules', async () => {
    const manifest = JSON.parse(await readFile(join(unpacked, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.main).toBe('dist/functions/*.js');
    expect(manifest.type).toBe('module');
    expect(manifest).not.toHaveProperty('scripts');
    expect(manifest).not.toHaveProperty('devDependencies');
  });

  it('carries no devDependency', () => {
    for (const name of Object.keys(rootPackage.devDependencies)) {
      expect(existsSync(join(unpacked, 'node_modules', name)), name).toBe(false);
    }
    expect(built.dependencies).toContain('node_modules/@azure/functions');
  });

  it('is unpacked where no node_modules above it could stand in for a missing one', () => {
    for (let dir = dirname(unpacked); dir !== dirname(dir); dir = dirname(dir)) {
      expect(existsSync(join(dir, 'node_modules')), dir).toBe(false);
    }
  });
});

describe('the deployment package, running', () => {
  let baseUrl: string;
  const admin = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${baseUrl}/api/admin${path}`, {
      ...init,
      headers: { 'x-functions-key': FUNCTIONS_KEY, 'content-type': 'application/json', ...(init.headers ?? {}) },
    });

  beforeAll(async () => {
    // Settings the unpacked product code reads from the environment, as from app settings in Azure.
    process.env.LOCAL_SECRET_STORE_PATH = join(workDir, 'secrets.json');
    const registry = installFunctionsCore();
    const files = await expandMainPattern(unpacked, await readMainPattern(unpacked));
    // Node loads each module natively from the unpacked folder (vitest's own loader would resolve more leniently).
    // require() of an ES module: the same resolution as the worker's import(), without vitest in between.
    const load = createRequire(join(unpacked, 'package.json'));
    for (const file of files) {
      expect(file.startsWith(`${unpacked}${sep}dist${sep}functions${sep}`)).toBe(true);
      load(file);
    }
    expect(registry.httpFunctions().length).toBeGreaterThan(0);
    await runAppStartHooks(registry, unpacked);
    const { routePrefix } = await readHostJson(unpacked);
    host = await startHttpHost({ registry, port: 0, routePrefix, functionsKey: FUNCTIONS_KEY, log: () => undefined });
    baseUrl = host.url;
  }, 60_000);

  it('answers the admin API and the SCIM endpoint from the package', async () => {
    const created = await admin('/integrations', {
      method: 'POST',
      body: JSON.stringify({ displayName: 'Package test', userProvisioning: 'create' }),
    });
    expect(created.status).toBe(201);
    const { tenantUrl, secretToken } = (await created.json()) as { tenantUrl: string; secretToken: string };

    const scim = (path: string, init: RequestInit = {}): Promise<Response> =>
      fetch(`${tenantUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${secretToken}`, 'content-type': 'application/scim+json' },
      });
    const userName = `package.test.${Date.now()}@example.com`;
    const posted = await scim('/Users', {
      method: 'POST',
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, active: true }),
    });
    expect(posted.status).toBe(201);
    const listed = await scim(`/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { totalResults: number }).totalResults).toBe(1);

    const list = await admin('/integrations');
    expect(list.status).toBe(200);
  });

  it('serves the admin page and its modules from the package, with the CSP', async () => {
    const index = await fetch(`${baseUrl}/api/admin/page/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await index.text()).toContain('<script type="module" src="main.js"></script>');
    const script = await fetch(`${baseUrl}/api/admin/page/screens/integrations.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });
});
