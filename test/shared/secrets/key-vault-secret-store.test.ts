// KeyVaultSecretStore against the in-process fake Key Vault: the real SecretClient, its challenge flow and HTTPS.
import { SecretClient } from '@azure/keyvault-secrets';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyVaultSecretStore } from '../../../shared/secrets/key-vault-secret-store.js';
import { type FakeKeyVault, FakeTokenCredential, KEY_VAULT_SCOPE, startFakeKeyVault } from '../../fakes/key-vault-fake.js';

describe('KeyVaultSecretStore', () => {
  let vault: FakeKeyVault;
  let store: KeyVaultSecretStore;

  beforeEach(async () => {
    vault = await startFakeKeyVault();
    store = new KeyVaultSecretStore(vault.vaultUrl, vault.credential, vault.clientOptions);
  });
  afterEach(() => vault.close());

  it('sets, gets and overwrites a secret', async () => {
    await store.set('integration-token', 'first value');
    expect(await store.get('integration-token')).toBe('first value');
    await store.set('integration-token', 'second value');
    expect(await store.get('integration-token')).toBe('second value');
    const put = vault.requests.find((r) => r.method === 'PUT' && r.authorized);
    expect(JSON.parse(put?.body ?? '{}')).toMatchObject({ value: 'first value', contentType: 'text/plain' });
  });

  it('reads a missing secret as undefined', async () => {
    expect(await store.get('never-set')).toBeUndefined();
    expect(vault.requests.at(-1)).toMatchObject({ method: 'GET', status: 404, authorized: true });
  });

  it('deletes a secret, and deleting a missing one is not an error', async () => {
    await store.set('to-delete', 'v');
    await store.delete('to-delete');
    expect(await store.get('to-delete')).toBeUndefined();
    await store.delete('to-delete');
    await store.delete('never-set');
    const deletes = vault.requests.filter((r) => r.method === 'DELETE' && r.authorized).map((r) => r.status);
    expect(deletes).toEqual([200, 404, 404]);
  });

  it('returns from delete while the vault has not yet shown the deleted secret', async () => {
    vault.deletionLag = 1;
    await store.set('slow-delete', 'v');
    await store.delete('slow-delete');
    expect(await store.get('slow-delete')).toBeUndefined();
    expect(vault.requests.some((r) => r.url.startsWith('/deletedsecrets/slow-delete') && r.status === 404)).toBe(true);
  });

  it('keeps a deleted name reserved until purged, as a soft-delete vault does', async () => {
    await store.set('reused', 'v1');
    await store.delete('reused');
    await expect(store.set('reused', 'v2')).rejects.toMatchObject({ statusCode: 409 });
    await new SecretClient(vault.vaultUrl, vault.credential, vault.clientOptions).purgeDeletedSecret('reused');
    await store.set('reused', 'v2');
    expect(await store.get('reused')).toBe('v2');
  });

  it('authenticates through the Key Vault challenge with a token for the vault scope', async () => {
    await store.set('scoped', 'v');
    expect(await store.get('scoped')).toBe('v');
    expect(vault.requests[0]).toMatchObject({ authorized: false, status: 401, body: '' });
    expect(vault.credential.requests.length).toBeGreaterThan(0);
    for (const request of vault.credential.requests) {
      expect(request).toEqual({ scopes: [KEY_VAULT_SCOPE], tenantId: vault.tenantId });
    }
  });

  it('sends secret values only in the bodies of authorized PUTs, never in URLs', async () => {
    const value = 'sup3r-s3cret-value';
    await store.set('in-body', value);
    await store.get('in-body');
    await store.delete('in-body');
    for (const request of vault.requests) {
      expect(request.url).not.toContain(value);
      if (!request.authorized) expect(request.body).toBe('');
      if (request.body.includes(value)) expect(request).toMatchObject({ method: 'PUT', authorized: true });
    }
    expect(vault.requests.some((r) => r.body.includes(value))).toBe(true);
  });

  it('surfaces a token the vault does not accept as a 401 error', async () => {
    const intruder = new KeyVaultSecretStore(vault.vaultUrl, new FakeTokenCredential('not-the-issued-token'), vault.clientOptions);
    await expect(intruder.get('anything')).rejects.toMatchObject({ statusCode: 401 });
    await expect(intruder.set('anything', 'v')).rejects.toMatchObject({ statusCode: 401 });
    expect(vault.requests.filter((r) => r.authorized).every((r) => r.status === 401)).toBe(true);
  });

  it('rejects invalid names without calling the vault', async () => {
    await expect(store.get('no_underscores')).rejects.toThrow(/invalid secret name/);
    await expect(store.set('a/b', 'v')).rejects.toThrow(/invalid secret name/);
    await expect(store.delete('')).rejects.toThrow(/invalid secret name/);
    expect(vault.requests).toEqual([]);
  });
});
