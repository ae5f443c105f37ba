const ns = await import('@azure/functions');
const keys = Object.keys(ns);
console.log(keys.slice(100), ['HttpRequest','HttpResponse','InvocationContext','app'].map(k => [k, keys.includes(k), k in ns.default]));
