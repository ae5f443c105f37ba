// Parsing an admin's user import (pure): RFC 4180 CSV and JSON arrays, normalisation, rejections with row numbers.
import { describe, expect, it } from 'vitest';
import { ImportFormatError, MAX_IMPORT_ROWS, parseCsv, parseUserImport } from '../../../shared/directory/user-import-parser.js';

const csv = (text: string) => parseUserImport(text, 'text/csv');
const json = (value: unknown) => parseUserImport(JSON.stringify(value), 'application/json');

describe('parseCsv', () => {
  it('splits records and fields', () => {
    expect(parseCsv('a,b,c\n1,2,3\n')).toEqual([['a', 'b', 'c'], ['1', '2', '3']]);
    expect(parseCsv('a,b\n1,2')).toEqual([['a', 'b'], ['1', '2']]);
    expect(parseCsv('a,,c')).toEqual([['a', '', 'c']]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    expect(parseCsv('"Smith, John","He said ""hi""","two\nlines","cr\r\nlf"')).toEqual([
      ['Smith, John', 'He said "hi"', 'two\nlines', 'cr\r\nlf'],
    ]);
    expect(parseCsv('"",x')).toEqual([['', 'x']]);
  });

  it('accepts CRLF, LF and CR line ends and skips blank lines', () => {
    expect(parseCsv('a,b\r\n1,2\r\n\r\n3,4\r\n')).toEqual([['a', 'b'], ['1', '2'], ['3', '4']]);
    expect(parseCsv('a\r1\r2')).toEqual([['a'], ['1'], ['2']]);
    expect(parseCsv('a\n \n,\n1')).toEqual([['a'], ['1']]);
  });

  it('refuses input that ends inside a quoted field', () => {
    expect(() => parseCsv('a,"unterminated\n1,2')).toThrow(ImportFormatError);
  });
});

describe('parseUserImport: CSV', () => {
  it('reads the columns in any order and case, and trims values', () => {
    const result = csv('EMAIL, DisplayName ,UPN,UserName\r\n alice@x.com ,Alice A,Alice@Contoso.com,alice\r\n');
    expect(result).toEqual({
      accepted: [{ row: 1, username: 'alice', upn: 'Alice@Contoso.com', displayName: 'Alice A', email: 'alice@x.com' }],
      rejected: [],
    });
  });

  it('strips a byte-order mark before the header', () => {
    expect(csv('\uFEFFusername,upn\nbob,bob@x.com').accepted).toEqual([{ row: 1, username: 'bob', upn: 'bob@x.com' }]);
    expect(parseUserImport('\uFEFFusername\nbob', '').accepted).toEqual([{ row: 1, username: 'bob', upn: 'bob' }]);
  });

  it('keeps quoted commas and quotes in values', () => {
    const result = csv('username,displayName\ncarol,"Doe, Carol ""CD"""\n');
    expect(result.accepted).toEqual([{ row: 1, username: 'carol', upn: 'carol', displayName: 'Doe, Carol "CD"' }]);
  });

  it('defaults upn to username and leaves out empty optional columns', () => {
    const result = csv('username,upn,displayName,email\ndave,,,\n');
    expect(result.accepted).toEqual([{ row: 1, username: 'dave', upn: 'dave' }]);
    expect(csv('username\neve').accepted).toEqual([{ row: 1, username: 'eve', upn: 'eve' }]);
  });

  it('numbers data rows from 1 (header excluded) and rejects rows without a username', () => {
    const result = csv('username,upn\nann,ann@x\n,nobody@x\nben,ben@x\n');
    expect(result.accepted.map((r) => [r.row, r.username])).toEqual([
      [1, 'ann'],
      [3, 'ben'],
    ]);
    expect(result.rejected).toEqual([{ row: 2, username: '', reason: expect.stringContaining('username is required') as string }]);
  });

  it('rejects duplicate usernames (any case) naming the first row', () => {
    const result = csv('username,upn\nfrank,f1@x\nFRANK,f2@x\ngina,g@x\nfrank,f3@x');
    expect(result.accepted.map((r) => r.upn)).toEqual(['f1@x', 'g@x']);
    expect(result.rejected).toEqual([
      { row: 2, username: 'FRANK', reason: 'duplicate of row 1' },
      { row: 4, username: 'frank', reason: 'duplicate of row 1' },
    ]);
  });

  it('rejects values longer than 256 characters', () => {
    const result = csv(`username,upn\n${'u'.repeat(257)},x@x\nok,${'p'.repeat(257)}`);
    expect(result.accepted).toEqual([]);
    expect(result.rejected.map((r) => r.row)).toEqual([1, 2]);
    expect(result.rejected[0]!.reason).toContain('username is longer than 256 characters');
    expect(result.rejected[1]!.reason).toContain('upn is longer than 256 characters');
  });

  it('refuses an unknown column and a header without username', () => {
    expect(() => csv('username,upn,department\nx,y,z')).toThrow(/unknown CSV column\(s\): department/);
    expect(() => csv('upn,email\nx@x,x@x')).toThrow(ImportFormatError);
  });

  it('answers nothing for a header alone or an empty body', () => {
    expect(csv('username,upn\r\n')).toEqual({ accepted: [], rejected: [] });
    expect(csv('')).toEqual({ accepted: [], rejected: [] });
  });

  it('treats a body that does not start like JSON as CSV whatever the content type', () => {
    expect(parseUserImport('username\nhank', 'application/json').accepted).toEqual([{ row: 1, username: 'hank', upn: 'hank' }]);
  });
});

describe('parseUserImport: JSON', () => {
  it('reads an array of users', () => {
    const result = json([
      { username: ' ivy ', upn: 'Ivy@Contoso.com', displayName: 'Ivy', email: 'ivy@x.com' },
      { username: 'jack' },
      { username: 'kim', upn: '', displayName: '', email: '' },
    ]);
    expect(result).toEqual({
      accepted: [
        { row: 1, username: 'ivy', upn: 'Ivy@Contoso.com', displayName: 'Ivy', email: 'ivy@x.com' },
        { row: 2, username: 'jack', upn: 'jack' },
        { row: 3, username: 'kim', upn: 'kim' },
      ],
      rejected: [],
    });
  });

  it('reads a JSON array that starts with a byte-order mark', () => {
    expect(parseUserImport('\uFEFF[{"username":"lee"}]', 'application/json').accepted).toEqual([{ row: 1, username: 'lee', upn: 'lee' }]);
  });

  it('rejects malformed items with their row numbers and keeps the rest', () => {
    const result = json([{ username: 'ok' }, { upn: 'no-username@x' }, { username: 42 }, null, 'text', { username: 'OK' }]);
    expect(result.accepted).toEqual([{ row: 1, username: 'ok', upn: 'ok' }]);
    expect(result.rejected.map((r) => r.row)).toEqual([2, 3, 4, 5, 6]);
    expect(result.rejected[0]).toEqual({ row: 2, reason: expect.stringContaining('username') as string });
    expect(result.rejected[1]).not.toHaveProperty('username');
    expect(result.rejected[4]).toEqual({ row: 6, username: 'OK', reason: 'duplicate of row 1' });
  });

  it('refuses a body that is not a JSON array', () => {
    expect(() => json({ username: 'x' })).toThrow(/must be an array/);
    expect(() => parseUserImport('[{"username":', 'application/json')).toThrow(/neither a JSON array nor CSV/);
    expect(() => parseUserImport('', 'application/json')).toThrow(ImportFormatError);
  });

  it(`refuses more than ${MAX_IMPORT_ROWS} users`, () => {
    const many = Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => ({ username: `u${i}` }));
    expect(() => json(many)).toThrow(/at most/);
    expect(json(many.slice(0, 3)).accepted).toHaveLength(3);
  });
});
