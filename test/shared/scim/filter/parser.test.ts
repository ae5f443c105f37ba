import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { AttrPath, CompareOperator, FilterNode, FilterValue } from '../../../../shared/scim/filter/index.js';
import {
  formatFilter,
  MAX_FILTER_LENGTH,
  MAX_FILTER_NESTING_DEPTH,
  parseFilter,
} from '../../../../shared/scim/filter/index.js';
import { ScimError } from '../../../../shared/scim/errors.js';
import { and, compare, expectBadRequest, not, or, present, valuePath } from './filter-test-helpers.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const validFilters: [name: string, filter: string, expected: FilterNode][] = [
  // Contract vectors
  ['T1 userName', 'userName eq "Test_User_1234"', compare('userName', 'eq', 'Test_User_1234')],
  ['T1 externalId', 'externalId eq "6c1e8b4b-4a0e-4d8c"', compare('externalId', 'eq', '6c1e8b4b-4a0e-4d8c')],
  [
    'T1/Q14 email through a value filter',
    'emails[type eq "work"].value eq "a@x.com"',
    valuePath('emails', and(compare('type', 'eq', 'work'), compare('value', 'eq', 'a@x.com'))),
  ],
  ['T2 zero-result query', 'userName eq "non-existent user"', compare('userName', 'eq', 'non-existent user')],
  ['T13 group by displayName', 'displayName eq "displayName"', compare('displayName', 'eq', 'displayName')],
  [
    'T14 members[value eq]',
    'id eq "g1" and members[value eq "u1"]',
    and(compare('id', 'eq', 'g1'), valuePath('members', compare('value', 'eq', 'u1'))),
  ],
  ['T14 members eq', 'id eq "g1" and members eq "u1"', and(compare('id', 'eq', 'g1'), compare('members', 'eq', 'u1'))],
  [
    'T14 members.value eq',
    'id eq "g1" and members.value eq "u1"',
    and(compare('id', 'eq', 'g1'), compare('members.value', 'eq', 'u1')),
  ],
  [
    'T10 legacy manager check',
    'id eq "u1" and manager eq "m1"',
    and(compare('id', 'eq', 'u1'), compare('manager', 'eq', 'm1')),
  ],
  ['Q13 bare value', 'externalId eq jyoung', compare('externalId', 'eq', 'jyoung')],
  [
    'Q5 string boolean stays a string',
    'roles[primary eq "True"]',
    valuePath('roles', compare('primary', 'eq', 'True')),
  ],
  // Microsoft Postman suite
  ['MS DisplayName', 'DisplayName eq "BobIsAmazing"', compare('DisplayName', 'eq', 'BobIsAmazing')],
  [
    'MS and (or) with bare values',
    'name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)',
    and(
      compare('name.FamilyName', 'eq', 'Employee'),
      or(compare('emails.Value', 'co', 'example.com'), compare('emails.Value', 'co', 'example.org')),
    ),
  ],
  ['MS sw bare', 'userName sw O', compare('userName', 'sw', 'O')],
  [
    'MS date-time bare',
    'meta.Created gt 2015-10-10T14:38:21.8617979-07:00',
    compare('meta.Created', 'gt', '2015-10-10T14:38:21.8617979-07:00'),
  ],
  // Schema URNs
  [
    'enterprise extension',
    `${ENTERPRISE}:employeeNumber eq "701984"`,
    compare(`${ENTERPRISE}:employeeNumber`, 'eq', '701984'),
  ],
  [
    'custom extension',
    'urn:ietf:params:scim:schemas:extension:Custom:2.0:User:costCenter eq "4130"',
    compare('urn:ietf:params:scim:schemas:extension:Custom:2.0:User:costCenter', 'eq', '4130'),
  ],
  ['URN with sub-attribute', `${ENTERPRISE}:manager.value eq "m1"`, compare(`${ENTERPRISE}:manager.value`, 'eq', 'm1')],
  [
    'core URN',
    'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bjensen"',
    compare('urn:ietf:params:scim:schemas:core:2.0:User:userName', 'eq', 'bjensen'),
  ],
  [
    'URN value path',
    `${ENTERPRISE}:manager[value eq "m1"]`,
    valuePath(`${ENTERPRISE}:manager`, compare('value', 'eq', 'm1')),
  ],
  // Operators and keywords in any case
  ['EQ', 'userName EQ "x"', compare('userName', 'eq', 'x')],
  ['Eq', 'userName Eq "x"', compare('userName', 'eq', 'x')],
  [
    'every operator',
    'a ne 1 or a co "b" or a sw "c"',
    or(or(compare('a', 'ne', 1), compare('a', 'co', 'b')), compare('a', 'sw', 'c')),
  ],
  [
    'ew ge le lt',
    'a ew "z" AND b GE 1 And c le 2 and d lt 3',
    and(and(and(compare('a', 'ew', 'z'), compare('b', 'ge', 1)), compare('c', 'le', 2)), compare('d', 'lt', 3)),
  ],
  ['pr', 'title PR', present('title')],
  // Precedence: not > and > or, left-associative
  [
    'and binds tighter than or',
    'a eq 1 or b eq 2 and c eq 3',
    or(compare('a', 'eq', 1), and(compare('b', 'eq', 2), compare('c', 'eq', 3))),
  ],
  [
    'or then and',
    'a eq 1 and b eq 2 or c eq 3',
    or(and(compare('a', 'eq', 1), compare('b', 'eq', 2)), compare('c', 'eq', 3)),
  ],
  [
    'parentheses',
    '(a eq 1 or b eq 2) and c eq 3',
    and(or(compare('a', 'eq', 1), compare('b', 'eq', 2)), compare('c', 'eq', 3)),
  ],
  ['not binds tightest', 'not (a eq 1) and b pr', and(not(compare('a', 'eq', 1)), present('b'))],
  ['not without a space', 'NOT(a pr)', not(present('a'))],
  ['not without parentheses (lenient)', 'not a pr or b pr', or(not(present('a')), present('b'))],
  ['attribute named not', 'not eq "x"', compare('not', 'eq', 'x')],
  ['attribute named and', 'and eq 1 and or pr', and(compare('and', 'eq', 1), present('or'))],
  // Value paths
  [
    'value filter with and',
    'emails[type eq "work" and value co "@x"]',
    valuePath('emails', and(compare('type', 'eq', 'work'), compare('value', 'co', '@x'))),
  ],
  ['members value filter', 'members[value eq "id"]', valuePath('members', compare('value', 'eq', 'id'))],
  [
    'value path then sub-attribute pr',
    'emails[type eq "work"].value pr',
    valuePath('emails', and(compare('type', 'eq', 'work'), present('value'))),
  ],
  // Literals
  [
    'true/FALSE/Null',
    'a eq true or b eq FALSE or c eq Null',
    or(or(compare('a', 'eq', true), compare('b', 'eq', false)), compare('c', 'eq', null)),
  ],
  [
    'numbers',
    'a gt -1.5e3 and b lt 0 and c eq 42',
    and(and(compare('a', 'gt', -1500), compare('b', 'lt', 0)), compare('c', 'eq', 42)),
  ],
  ['escapes', String.raw`a eq "q\"b\\s\/\u0041\n\t"`, compare('a', 'eq', 'q"b\\s/A\n\t')],
  ['quoted keyword is a string', 'a eq "true"', compare('a', 'eq', 'true')],
  ['bare token with brackets inside', 'a eq x[1', compare('a', 'eq', 'x[1')],
  ['bare value ends at bracket', 'emails[value eq x@y.com]', valuePath('emails', compare('value', 'eq', 'x@y.com'))],
  ['surrounding whitespace', '  userName eq "x"\t', compare('userName', 'eq', 'x')],
  ['$ref', '$ref eq "https://x/Users/1"', compare('$ref', 'eq', 'https://x/Users/1')],
];

const invalidFilters: [name: string, filter: string, detailFragment: string][] = [
  ['empty', '', 'position 1: expected an attribute path'],
  ['blank', '   ', 'found end of input'],
  ['Q14 misprint', 'emails[type eq "work"] eq "x"', 'position 24'],
  ['missing value', 'userName eq', 'expected a value'],
  ['missing operator', 'userName', 'expected a comparison operator'],
  ['unknown operator', 'userName is "a"', "found 'is'"],
  ['unclosed parenthesis', '(userName eq "a"', "expected ')'"],
  ['stray parenthesis', 'userName eq "a")', "expected 'and', 'or' or end of input, found ')'"],
  ['unterminated string', 'a eq "abc', 'unterminated string literal'],
  ['bad escape', String.raw`a eq "\q"`, 'invalid escape sequence'],
  ['short unicode escape', String.raw`a eq "\u12"`, 'four hex digits'],
  ['three-part path', 'a.b.c eq 1', "found 'a.b.c'"],
  ['name starting with a digit', '1abc eq 2', 'expected an attribute path'],
  ['empty URN', 'urn:x eq 1', 'not a valid attribute path'],
  ['nested value filter', 'emails[x[y eq 1]]', 'cannot be nested'],
  ['value filter after sub-attribute', 'name.givenName[type eq "x"]', 'without a sub-attribute'],
  ['unclosed bracket', 'emails[type eq "x"', "expected ']'"],
  ['dangling and', 'a eq 1 and', 'expected an attribute path'],
  ['double or', 'a eq 1 or or b eq 2', 'expected a comparison operator'],
  ['lonely not', 'not', 'expected a comparison operator'],
  ['junk after string', 'a eq "x"y', "found 'y'"],
  ['string as path', '"a" eq 1', 'expected an attribute path, found string "a"'],
  ['empty brackets', 'emails[]', "found ']'"],
];

describe('parseFilter', () => {
  it.each(validFilters)('parses %s', (_name, filter, expected) => {
    expect(parseFilter(filter)).toEqual(expected);
  });

  it.each(invalidFilters)('rejects %s with 400 invalidFilter', (_name, filter, detailFragment) => {
    const error = expectBadRequest(() => parseFilter(filter), 'invalidFilter');
    expect(error.detail).toContain('Invalid filter');
    expect(error.detail).toContain(detailFragment);
  });

  it('names the position and the expectation', () => {
    const error = expectBadRequest(() => parseFilter('userName eq "a" and'), 'invalidFilter');
    expect(error.detail).toBe('Invalid filter at position 20: expected an attribute path, found end of input');
  });

  it('tells how to write the Q14 misprint', () => {
    const error = expectBadRequest(() => parseFilter('emails[type eq "work"] eq "x"'), 'invalidFilter');
    expect(error.detail).toContain('emails[…].value eq …');
  });

  it(`accepts ${MAX_FILTER_LENGTH} characters and rejects one more`, () => {
    const filterOfLength = (length: number): string => `a eq "${'x'.repeat(length - 7)}"`;
    expect(parseFilter(filterOfLength(MAX_FILTER_LENGTH))).toMatchObject({ kind: 'compare' });
    const error = expectBadRequest(() => parseFilter(filterOfLength(MAX_FILTER_LENGTH + 1)), 'invalidFilter');
    expect(error.detail).toContain(`longer than ${MAX_FILTER_LENGTH}`);
  });

  it.each([
    ['parentheses', (depth: number) => `${'('.repeat(depth)}a pr${')'.repeat(depth)}`],
    ['not', (depth: number) => `${'not ('.repeat(depth)}a pr${')'.repeat(depth)}`],
  ])(`accepts ${MAX_FILTER_NESTING_DEPTH} levels of %s and rejects one more`, (_name, nestedFilter) => {
    expect(() => parseFilter(nestedFilter(MAX_FILTER_NESTING_DEPTH))).not.toThrow();
    const error = expectBadRequest(() => parseFilter(nestedFilter(MAX_FILTER_NESTING_DEPTH + 1)), 'invalidFilter');
    expect(error.detail).toContain('nesting deeper than 50');
  });

  it('rejects deep nesting near the length limit without overflowing the stack', () => {
    expectBadRequest(() => parseFilter('('.repeat(MAX_FILTER_LENGTH)), 'invalidFilter');
    expectBadRequest(() => parseFilter('not '.repeat(MAX_FILTER_LENGTH / 4)), 'invalidFilter');
  });

  it('parses a long and-chain within the length limit', () => {
    const filter = Array.from({ length: 700 }, (_, index) => `a eq ${index}`).join(' and ');
    expect(parseFilter(filter)).toMatchObject({ kind: 'and' });
  });
});

// ---- properties ------------------------------------------------------------------------------------------------

/** parseFilter's contract: a FilterNode, or a ScimError 400 invalidFilter; nothing else. */
function parsesOrRejectsCleanly(text: string): FilterNode | undefined {
  try {
    return parseFilter(text);
  } catch (error) {
    if (!(error instanceof ScimError) || error.status !== 400 || error.scimType !== 'invalidFilter') throw error;
    return undefined;
  }
}

const grammarTokens = fc.constantFrom(
  '(', ')', '[', ']', '.', '"', '\\', ':', 'not', 'NOT', 'and', 'or', 'Or', 'eq', 'Ne', 'co', 'sw', 'ew', 'gt', 'ge',
  'lt', 'le', 'pr', 'userName', 'emails', 'value', 'type', 'name.givenName', 'meta.created', `${ENTERPRISE}:manager`,
  `${ENTERPRISE}:manager.value`, 'urn:', '"x"', '"a\\"b"', '"\\u00e9"', 'true', 'FALSE', 'null', '12', '-1.5e3',
  '1e999',
  'jyoung', '2015-10-10T14:38:21.8617979-07:00', 'emails[type eq "work"]', '$ref', '-', '\u00e9',
);
/** Token soup: mostly invalid, exercises the error paths. */
const tokenSoup = fc
  .array(fc.tuple(grammarTokens, fc.constantFrom(' ', '', '  ', '\t')), { maxLength: 25 })
  .map((parts) => parts.map(([token, separator]) => token + separator).join(''));

/** Filter text built from the grammar with varied spelling (keyword case, spacing, bare and quoted values). */
const space = fc.constantFrom(' ', '  ', '\t', ' \n');
const pathText = fc.constantFrom(
  'userName', 'name.FamilyName', 'emails.Value', 'meta.Created', `${ENTERPRISE}:manager.value`,
  `${ENTERPRISE}:department`,
  'urn:ietf:params:scim:schemas:extension:Custom:2.0:User:costCenter', 'not', 'and', '$ref',
);
const valueText = fc.oneof(
  fc.string({ maxLength: 12 }).map((text) => JSON.stringify(text)),
  fc.constantFrom('jyoung', 'O', 'example.com', '2015-10-10T14:38:21.8617979-07:00', 'True', 'FALSE', 'null', '12'),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
);
const operatorText = fc.constantFrom('eq', 'EQ', 'Ne', 'co', 'sw', 'ew', 'gt', 'GE', 'lt', 'le');
const attributeExpressionText = fc.oneof(
  fc.tuple(pathText, space, operatorText, space, valueText).map((parts) => parts.join('')),
  fc.tuple(pathText, space, fc.constantFrom('pr', 'PR')).map((parts) => parts.join('')),
);
const { filter: grammarFilterText } = fc.letrec<{ filter: string }>((tie) => ({
  filter: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'text' },
    attributeExpressionText,
    fc
      .tuple(tie('filter'), space, fc.constantFrom('and', 'AND', 'or', 'Or'), space, tie('filter'))
      .map((parts) => parts.join('')),
    fc.tuple(fc.constantFrom('not', 'NOT ', 'not '), tie('filter')).map(([keyword, inner]) => `${keyword}(${inner})`),
    tie('filter').map((inner) => `(${inner})`),
    fc
      .tuple(fc.constantFrom('emails', 'members', 'roles'), attributeExpressionText, fc.constantFrom('', '.value pr'))
      .map(([attr, inner, tail]) => `${attr}[${inner}]${tail}`),
  ),
}));

/** Grammar-built text with one token inserted somewhere: near-misses of valid filters. */
const nearMissFilterText = fc
  .tuple(grammarFilterText, fc.nat(), grammarTokens)
  .map(([text, at, token]) => text.slice(0, at % (text.length + 1)) + token + text.slice(at % (text.length + 1)));

const grammarishFilter = fc.oneof(tokenSoup, grammarFilterText, nearMissFilterText);

// Includes names that collide with keywords and literals, to prove the printer and parser agree on them.
const attributeName = fc.constantFrom(
  'userName', 'emails', 'value', 'type', 'not', 'and', 'or', 'pr', 'eq', 'true', '$ref', 'x-y', 'a_1', 'DisplayName',
);
const schemaUrn = fc.constantFrom(ENTERPRISE, 'urn:ietf:params:scim:schemas:core:2.0:User', 'urn:x', 'urn:a.b:c-d');
const arbitraryAttrPath: fc.Arbitrary<AttrPath> = fc.record(
  { schema: schemaUrn, attr: attributeName, subAttr: attributeName },
  { requiredKeys: ['attr'] },
);
const arbitraryValue: fc.Arbitrary<FilterValue> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const compareOperator = fc.constantFrom<CompareOperator>('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le');

const { filter: arbitraryFilter } = fc.letrec<{ filter: FilterNode; elementFilter: FilterNode }>((tie) => {
  const leaves = [
    fc.record({
      kind: fc.constant('compare' as const),
      path: arbitraryAttrPath,
      op: compareOperator,
      value: arbitraryValue,
    }),
    fc.record({ kind: fc.constant('present' as const), path: arbitraryAttrPath }),
  ];
  const branches = (child: fc.Arbitrary<FilterNode>): fc.Arbitrary<FilterNode>[] => [
    fc.record({ kind: fc.constant('and' as const), left: child, right: child }),
    fc.record({ kind: fc.constant('or' as const), left: child, right: child }),
    fc.record({ kind: fc.constant('not' as const), filter: child }),
  ];
  const filterChild = tie('filter');
  const elementChild = tie('elementFilter');
  return {
    filter: fc.oneof(
      { maxDepth: 5, depthIdentifier: 'filter' },
      ...leaves,
      fc.record({
        kind: fc.constant('valuePath' as const),
        path: fc.record({ schema: schemaUrn, attr: attributeName }, { requiredKeys: ['attr'] }),
        filter: elementChild,
      }),
      ...branches(filterChild),
    ),
    elementFilter: fc.oneof({ maxDepth: 3, depthIdentifier: 'element' }, ...leaves, ...branches(elementChild)),
  };
});

describe('parseFilter properties', () => {
  it('answers any string with a FilterNode or a ScimError 400 invalidFilter', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 })), (text) => {
        parsesOrRejectsCleanly(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('parses grammar-built filters', () => {
    fc.assert(
      fc.property(grammarFilterText, (text) => {
        expect(parseFilter(text)).toBeDefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('answers grammar-shaped strings the same way, and what parses survives formatFilter', () => {
    fc.assert(
      fc.property(grammarishFilter, (text) => {
        const node = parsesOrRejectsCleanly(text);
        if (node !== undefined) expect(parseFilter(formatFilter(node))).toEqual(node);
      }),
      { numRuns: 3000 },
    );
  });

  it('re-parses formatFilter(ast) to an equal AST', () => {
    fc.assert(
      fc.property(arbitraryFilter, (node) => {
        expect(parseFilter(formatFilter(node))).toEqual(node);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('formatFilter', () => {
  it.each([
    ['or inside and gets parentheses', 'a eq 1 and (b eq 2 or c eq 3)', 'a eq 1 and (b eq 2 or c eq 3)'],
    ['left-nested and stays flat', 'a pr and b pr and c pr', 'a pr and b pr and c pr'],
    ['right-nested and keeps its parentheses', 'a pr and (b pr and c pr)', 'a pr and (b pr and c pr)'],
    ['bare values come back quoted', 'externalId eq jyoung', 'externalId eq "jyoung"'],
    ['operators come back lower case', 'userName EQ "x"', 'userName eq "x"'],
    ['not always takes parentheses', 'not a pr', 'not (a pr)'],
    ['T1 value path form', 'emails[type eq "work"].value eq "x"', 'emails[type eq "work" and value eq "x"]'],
  ])('%s', (_name, filter, formatted) => {
    expect(formatFilter(parseFilter(filter))).toBe(formatted);
  });
});
