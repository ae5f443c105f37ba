import Module, { createRequire } from 'node:module';
const orig = Module._load;
const api = {
  registerFunction(m, cb) { console.log('reg', JSON.stringify(m)); return { dispose() {} }; },
  setProgrammingModel(pm) { console.log('pm', pm.name, pm.version); },
  registerHook(n, cb) { console.log('hook', n); return { dispose() {} }; },
  log(level, cat, msg) { console.log('log', level, cat, msg); },
};
Module._load = function (request, parent, isMain) {
  if (request === '@azure/functions-core') return api;
  return orig.apply(this, arguments);
};
const { app } = await import('@azure/functions');
app.http('x', { route: 'a/{id}', authLevel: 'function', handler: async () => ({ body: 'hi' }) });
app.timer('t', { schedule: '0 */5 * * * *', handler: async () => {} });
app.storageQueue('q', { queueName: 'qq', connection: 'AzureWebJobsStorage', handler: async () => {} });
app.hook.appStart(() => {});
