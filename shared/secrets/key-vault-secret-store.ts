// Secrets in Azure Key Vault through @azure/keyvault-secrets, authenticated with the app's managed identity.
import type { TokenCredential } from '@azure/identity';
import { SecretClient, type SecretClientOptions } from '@azure/keyvault-secrets';
import { assertSecretName, type SecretStore } from './secret-store.js';

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { statusCode?: number }).statusCode === 404;
}

export class KeyVaultSecretStore implements SecretStore {
  private readonly client: SecretClient;

  constructor(vaultUrl: string, credential: TokenCredential, options: SecretClientOptions = {}) {
    this.client = new SecretClient(vaultUrl, credential, options);
  }

  async get(name: string): Promise<string | undefined> {
    assertSecretName(name);
    try {
      return (await this.client.getSecret(name)).value;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async set(name: string, value: string): Promise<void> {
    assertSecretName(name);
    await this.client.setSecret(name, value, { contentType: 'text/plain' });
  }

  /** Starts deletion (soft delete keeps it recoverable for the vault's retention period). */
  async delete(name: string): Promise<void> {
    assertSecretName(name);
    try {
      await this.client.beginDeleteSecret(name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
