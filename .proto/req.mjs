import { HttpRequest, HttpResponse } from '@azure/functions';
const r = new HttpRequest({ method: 'POST', url: 'http://localhost:7071/api/x?filter=a+b', headers: { host: 'localhost:7071', connection: 'keep-alive', 'transfer-encoding': 'chunked', 'keep-alive': 'timeout=5', expect: '100-continue', 'content-length': '3', upgrade: 'h2c' }, query: { filter: 'a b' }, params: {}, body: { bytes: Buffer.from('abc') } });
console.log([...r.headers], await r.text(), r.query.get('filter'));
async function* gen() { yield new TextEncoder().encode('x'); yield Buffer.from('y'); }
const res = new HttpResponse({ body: gen() });
console.log(await res.text(), [...res.headers]);
const res2 = new HttpResponse({ body: 'str' , cookies: [{name:'a', value:'b'}]});
console.log([...res2.headers], res2.cookies);
const res3 = new HttpResponse({ status: 204, headers: {'x': '1'} });
console.log(res3.status, await res3.arrayBuffer());
