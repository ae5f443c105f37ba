// A development secret store: one JSON file readable only by its owner, rewritten atomically (write + rename), with
// writes serialised inside the process. Never used when KEY_VAULT_URL is set.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { assertSecretName, type SecretStore } from './secret-store.js';

export class LocalFileSecretStore implements SecretStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly path: string) {}

  async get(name: string): Promise<string | undefined> {
    assertSecretName(name);
    await this.queue;
    return (await this.load())[name];
  }

  async set(name: string, value: string): Promise<void> {
    assertSecretName(name);
    await this.serialise(async () => {
      const secrets = await this.load();
      secrets[name] = value;
      await this.save(secrets);
    });
  }

  async delete(name: string): Promise<void> {
    assertSecretName(name);
    await this.serialise(async () => {
      const secrets = await this.load();
      delete secrets[name];
      await this.save(secrets);
    });
  }

  private serialise(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async load(): Promise<Record<string, string>> {
    try {
      return JSON.parse(await readFile(this.path, 'utf8')) as Record<string, string>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
  }

  private async save(secrets: Record<string, string>): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    await rename(temp, this.path);
  }
}
