import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { parseSettings } from '../../../shared/config.js';
import { bucketOf, caseFoldKey } from '../../../shared/storage/keys.js';
import { PeopleRepository } from '../../../shared/storage/people-repository.js';
import type { PersonRecord } from '../../../shared/storage/person-record.js';
import { createTableClients, ensureTables } from '../../../shared/storage/table-clients.js';

it('race', async () => {
  const tables = createTableClients(parseSettings({ AzureWebJobsStorage: process.env.AzureWebJobsStorage }), { tablePrefix: `t${randomBytes(6).toString('hex')}` });
  await ensureTables(tables);
  const repo = new PeopleRepository(tables.people);
  let doubles = 0;
  for (let round = 0; round < 20; round++) {
    const key = caseFoldKey(`k${round}@x`);
    const bucket = bucketOf(key) === '00' ? '01' : '00';
    const extra: string[] = [];
    for (let i = 0; extra.length < 5; i++) { const k = caseFoldKey(`e${round}-${i}@x`); if (bucketOf(k) !== bucket) extra.push(k); }
    const mk = (keys: string[]): PersonRecord => ({ id: bucket + randomBytes(15).toString('hex'), sources: { a: { doc: {}, created: '', lastModified: '' } }, nameKeys: keys, version: 1, created: '' });
    const results = await Promise.allSettled([repo.create(mk([key, ...extra])), repo.create(mk([key]))]);
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    if (ok > 1) doubles++;
  }
  console.log('double wins', doubles);
  expect(doubles).toBe(0);
});
