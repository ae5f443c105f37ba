import { afterAll, beforeAll, it } from 'vitest';
import { ScimClient, startTestHost, type TestHost } from '../support/test-host.js';
let host: TestHost; let scim: ScimClient;
beforeAll(async () => { host = await startTestHost({ log: (l) => { if (l.includes('fault')) console.log(l.slice(0, 1500)); } }); const i = await host.createIntegration('create'); scim = new ScimClient(i.tenantUrl, i.secretToken); });
afterAll(async () => host.close());
it('probe', async () => {
  for (const f of ['userName eq "\\ud800"', 'externalId eq "\\ud800"', 'displayName eq "\\udfff"', 'emails.value eq "\\ud800x"', 'id eq "\\ud800"']) {
    for (const ep of ['/Users', '/Groups']) {
      const r = await scim.get(`${ep}?filter=${encodeURIComponent(f)}`);
      console.log(ep, f, r.status, JSON.stringify(r.body).slice(0, 200));
    }
  }
  const u = await scim.post('/Users', { userName: 'a\ud800@x.com', displayName: '\udfff', externalId: '\ud800' });
  console.log('post', u.status, JSON.stringify(u.body).slice(0, 300));
  const g = await scim.post('/Groups', { displayName: 'g\ud800', externalId: '\ud800' });
  console.log('postg', g.status, JSON.stringify(g.body).slice(0, 300));
});
