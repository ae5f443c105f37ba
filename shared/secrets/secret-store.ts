// Where secret values (integration tokens, later Graph client secrets) live: Key Vault in Azure, a local file in
// development. Names use Key Vault's alphabet: letters, digits and dashes.

export interface SecretStore {
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
}

const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;

export function assertSecretName(name: string): void {
  if (!SECRET_NAME.test(name)) throw new Error(`invalid secret name: ${name}`);
}
