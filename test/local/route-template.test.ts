import { describe, expect, it } from 'vitest';
import { compareRoutePrecedence, compileRouteTemplate, normalizeRequestPath } from '../../local/route-template.js';

const match = (prefix: string, template: string, rawPath: string) =>
  compileRouteTemplate(prefix, template).match(normalizeRequestPath(rawPath));

describe('normalizeRequestPath', () => {
  it('drops empty segments and the trailing slash, decodes all but %2F', () => {
    expect(normalizeRequestPath('/api//scim/Users/')).toBe('/api/scim/Users');
    expect(normalizeRequestPath('/')).toBe('/');
    expect(normalizeRequestPath('/a%20b/c%2Fd')).toBe('/a b/c%2Fd');
  });
});

describe('compileRouteTemplate', () => {
  it('matches literals case-insensitively and extracts parameters', () => {
    expect(match('api', 'scim/{tenant}/Users/{id}', '/API/Scim/t1/users/u%40x')).toEqual({ tenant: 't1', id: 'u@x' });
    expect(match('api', 'scim/{tenant}/Users', '/api/scim/t1/Groups')).toBeUndefined();
  });

  it('supports optional parameters, defaults and catch-alls', () => {
    expect(match('api', 'items/{id?}', '/api/items')).toEqual({});
    expect(match('api', 'items/{id?}', '/api/items/7')).toEqual({ id: '7' });
    expect(match('api', 'pages/{n=1}', '/api/pages')).toEqual({ n: '1' });
    expect(match('api', 'files/{*path}', '/api/files/a/b/c.txt')).toEqual({ path: 'a/b/c.txt' });
    expect(match('api', 'files/{**path}', '/api/files')).toEqual({});
  });

  it('checks common constraints and tolerates unknown ones', () => {
    const id = 'c56a4180-65aa-42ec-a945-5fd21dec0538';
    expect(match('api', 'u/{id:guid}', `/api/u/${id}`)).toEqual({ id });
    expect(match('api', 'u/{id:guid}', '/api/u/nope')).toBeUndefined();
    expect(match('api', 'n/{n:int:min(2)}', '/api/n/3')).toEqual({ n: '3' });
    expect(match('api', 'n/{n:int:min(2)}', '/api/n/1')).toBeUndefined();
    expect(match('api', 'n/{n:int?}', '/api/n/x')).toBeUndefined();
    expect(match('api', 's/{s:regex(^[a-z]{{2}}$)}', '/api/s/ab')).toEqual({ s: 'ab' });
    expect(match('api', 'x/{x:somethingnew}', '/api/x/1')).toEqual({ x: '1' });
  });

  it('handles an empty route prefix and complex segments', () => {
    expect(match('', 'Users', '/users/')).toEqual({});
    expect(match('', '{name}.{ext}', '/report.pdf')).toEqual({ name: 'report', ext: 'pdf' });
  });

  it('orders literal routes before parameter and catch-all routes', () => {
    const routes = ['{*rest}', 'Users/{id}', 'Users/me'].map((t) => compileRouteTemplate('api', t));
    expect(routes.sort(compareRoutePrecedence).map((r) => r.template)).toEqual([
      'api/Users/me',
      'api/Users/{id}',
      'api/{*rest}',
    ]);
  });
});
