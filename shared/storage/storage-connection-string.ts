// The account connection string's table endpoint and key, read by the rules of @azure/data-tables
// (utils/connectionString.ts), so the lean client (lean-table-client.ts) talks to the endpoint and signs with the key
// the SDK would use: keys are case-insensitive; an account string has DefaultEndpointsProtocol and AccountKey; its
// TableEndpoint (trailing slash cut) or else <protocol>://<account>.table.<EndpointSuffix>. Anything else (a SAS
// connection string, UseDevelopmentStorage=true, which local settings never use) is left to the SDK.

export interface AccountConnection {
  /** The table service URL, without a trailing slash. */
  url: string;
  accountName: string;
  accountKey: string;
}

function valueOf(connectionString: string, name: string): string {
  for (const element of connectionString.split(';')) {
    const at = element.trim().indexOf('=');
    if (at > 0 && element.trim().slice(0, at).toLowerCase() === name.toLowerCase()) return element.trim().slice(at + 1);
  }
  return '';
}

/** The endpoint and key of an account connection string; undefined for any other kind (the SDK handles those). */
export function parseAccountConnectionString(connectionString: string): AccountConnection | undefined {
  const lower = connectionString.toLowerCase();
  if (lower.includes('usedevelopmentstorage=true') || !lower.includes('defaultendpointsprotocol=') || !lower.includes('accountkey=')) return undefined;
  const accountName = valueOf(connectionString, 'AccountName');
  const accountKey = valueOf(connectionString, 'AccountKey');
  if (accountName === '' || accountKey === '') return undefined;
  let url = valueOf(connectionString, 'TableEndpoint').replace(/\/$/, '');
  if (url === '') {
    const protocol = valueOf(connectionString, 'DefaultEndpointsProtocol').toLowerCase();
    const suffix = valueOf(connectionString, 'EndpointSuffix');
    if ((protocol !== 'https' && protocol !== 'http') || suffix === '') return undefined;
    url = `${protocol}://${accountName}.table.${suffix}`;
  }
  return { url, accountName, accountKey };
}
