// A recursive-descent parser for RFC 7644 §3.4.2.2 filters and §3.5.2 PATCH paths.
//
//   FILTER    = orExpr
//   orExpr    = andExpr *("or" andExpr)                       ; left-associative, lowest precedence
//   andExpr   = unary *("and" unary)
//   unary     = "not" unary / "(" FILTER ")" / attrExp / valuePath
//   valuePath = attrPath "[" valFilter "]" ["." subAttr compareOp compValue / "." subAttr "pr"]
//   attrExp   = attrPath "pr" / attrPath compareOp compValue
//   attrPath  = [URN ":"] attrName ["." subAttr]            ; the URN ends at the last ':' of the word
//   compValue = JSON string / number / true / false / null / bare token (Q13)
//
// Keywords and operators are case-insensitive. `not` without parentheses is accepted leniently; a word `not`
// followed by an operator (`not eq 1`) is an attribute named "not". The filter-only form
// `emails[type eq "work"].value eq "x"` (T1) is read as `emails[type eq "work" and value eq "x"]`, which means the
// same. `emails[type eq "work"] eq "x"` (Q14's misprint) is rejected.

import { badRequest, ScimError } from '../errors.js';
import type { AttrPath, CompareOperator, FilterNode, FilterValue, PatchPath } from './ast.js';
import { FilterLexer, isJsonNumberText } from './lexer.js';
import type { SyntaxErrorType, Token } from './lexer.js';

/** Longest filter or PATCH path accepted, in UTF-16 code units. */
export const MAX_FILTER_LENGTH = 10_000;
/** Deepest nesting of parentheses, `not` and value filters accepted. */
export const MAX_FILTER_NESTING_DEPTH = 50;

const COMPARE_OPERATORS: ReadonlySet<string> = new Set<CompareOperator>([
  'eq',
  'ne',
  'co',
  'sw',
  'ew',
  'gt',
  'ge',
  'lt',
  'le',
]);
const OPERATOR_LIST = 'a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le) or pr';

/** Parses a `filter` query parameter. Throws ScimError 400 invalidFilter, and nothing else, for bad input. */
export function parseFilter(text: string): FilterNode {
  return withOnlyScimErrors('invalidFilter', () => {
    const parser = new FilterParser(boundedLexer(text, 'invalidFilter', 'Invalid filter'));
    return parser.parseWholeFilter();
  });
}

/** Parses a PATCH operation `path`. Throws ScimError 400 invalidPath, and nothing else, for bad input. */
export function parsePatchPath(text: string): PatchPath {
  return withOnlyScimErrors('invalidPath', () => {
    const parser = new FilterParser(boundedLexer(text, 'invalidPath', 'Invalid PATCH path'));
    return parser.parseWholePatchPath();
  });
}

function boundedLexer(text: string, errorType: SyntaxErrorType, subject: string): FilterLexer {
  if (typeof text !== 'string') throw badRequest(errorType, `${subject}: expected a string`);
  if (text.length > MAX_FILTER_LENGTH) {
    throw badRequest(errorType, `${subject}: longer than ${MAX_FILTER_LENGTH} characters (${text.length})`);
  }
  return new FilterLexer(text, errorType, subject);
}

/** The parser's contract is "ScimError or a result"; an unexpected fault still leaves as a 400, not a 500. */
function withOnlyScimErrors<T>(errorType: SyntaxErrorType, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ScimError) throw error;
    const subject = errorType === 'invalidFilter' ? 'Invalid filter' : 'Invalid PATCH path';
    throw badRequest(errorType, `${subject}: the text could not be parsed`);
  }
}

class FilterParser {
  private depth = 0;

  constructor(private readonly lexer: FilterLexer) {}

  parseWholeFilter(): FilterNode {
    const filter = this.parseOr(false);
    this.expectEnd("'and', 'or' or end of input");
    return filter;
  }

  parseWholePatchPath(): PatchPath {
    const path = this.toAttrPath(this.lexer.next());
    const result: PatchPath = { path };
    if (this.lexer.peek().kind === 'leftBracket') {
      result.valueFilter = this.parseValueFilter(path);
      if (this.lexer.peek().kind === 'dot') {
        this.lexer.next();
        result.subAttr = this.parseSubAttrName();
      }
    }
    this.expectEnd("'[', '.' or end of path");
    return result;
  }

  private parseOr(insideValueFilter: boolean): FilterNode {
    let left = this.parseAnd(insideValueFilter);
    while (this.peekKeyword('or')) {
      this.lexer.next();
      left = { kind: 'or', left, right: this.parseAnd(insideValueFilter) };
    }
    return left;
  }

  private parseAnd(insideValueFilter: boolean): FilterNode {
    let left = this.parseUnary(insideValueFilter);
    while (this.peekKeyword('and')) {
      this.lexer.next();
      left = { kind: 'and', left, right: this.parseUnary(insideValueFilter) };
    }
    return left;
  }

  private parseUnary(insideValueFilter: boolean): FilterNode {
    const token = this.lexer.peek();
    if (token.kind === 'leftParen') return this.parseParenthesized(insideValueFilter);
    if (this.isNotKeyword(token)) {
      this.lexer.next();
      // `not (…)` is one level of nesting, not two.
      const operand =
        this.lexer.peek().kind === 'leftParen'
          ? this.parseParenthesized(insideValueFilter)
          : this.nested(token, () => this.parseUnary(insideValueFilter));
      return { kind: 'not', filter: operand };
    }
    return this.parseAttributeExpression(insideValueFilter);
  }

  private parseParenthesized(insideValueFilter: boolean): FilterNode {
    const open = this.lexer.next();
    const inner = this.nested(open, () => this.parseOr(insideValueFilter));
    this.expect('rightParen', `')' to close the '(' at position ${open.start + 1}`);
    return inner;
  }

  /** `not` is the keyword unless an operator follows it (`not eq "x"` compares an attribute named "not"). */
  private isNotKeyword(token: Token): boolean {
    if (token.kind !== 'word' || token.text.toLowerCase() !== 'not') return false;
    const following = this.lexer.peekAt(token.end);
    if (following.kind === 'leftParen') return true;
    return following.kind === 'word' && following.start > token.end && !isOperatorWord(following.text);
  }

  private parseAttributeExpression(insideValueFilter: boolean): FilterNode {
    const path = this.toAttrPath(this.lexer.next());
    if (this.lexer.peek().kind !== 'leftBracket') return this.parseOperatorAndValue(path);
    if (insideValueFilter) this.lexer.fail('value filters cannot be nested', this.lexer.peek().start);
    const elementFilter = this.parseValueFilter(path);
    const following = this.lexer.peek();
    if (following.kind === 'word' && isOperatorWord(following.text)) {
      const example = `${path.attr}[…].value ${following.text.toLowerCase()} …`;
      this.lexer.failExpected(`'and', 'or' or a sub-attribute to compare (write ${example})`, following);
    }
    if (following.kind !== 'dot') return { kind: 'valuePath', path, filter: elementFilter };
    this.lexer.next();
    const subAttrTest = this.parseOperatorAndValue({ attr: this.parseSubAttrName() });
    return { kind: 'valuePath', path, filter: { kind: 'and', left: elementFilter, right: subAttrTest } };
  }

  /** `[valFilter]` after `path`; the caller has peeked the `[`. */
  private parseValueFilter(path: AttrPath): FilterNode {
    const open = this.lexer.next();
    if (path.subAttr !== undefined) {
      this.lexer.fail(`a value filter must follow an attribute name without a sub-attribute`, open.start);
    }
    const filter = this.nested(open, () => this.parseOr(true));
    this.expect('rightBracket', `']' to close the '[' at position ${open.start + 1}`);
    return filter;
  }

  private parseOperatorAndValue(path: AttrPath): FilterNode {
    const operatorToken = this.lexer.next();
    const operator = operatorToken.kind === 'word' ? operatorToken.text.toLowerCase() : '';
    if (operator === 'pr') return { kind: 'present', path };
    if (!COMPARE_OPERATORS.has(operator)) this.lexer.failExpected(OPERATOR_LIST, operatorToken);
    return { kind: 'compare', path, op: operator as CompareOperator, value: this.parseValue() };
  }

  private parseValue(): FilterValue {
    const token = this.lexer.nextValue();
    if (token.kind === 'string') return token.text;
    if (token.kind !== 'bareValue') {
      this.lexer.failExpected('a value (a quoted string, number, true, false or null)', token);
    }
    return bareValueLiteral(token.text);
  }

  private parseSubAttrName(): string {
    const token = this.lexer.next();
    if (token.kind !== 'word' || !isAttributeName(token.text)) {
      this.lexer.failExpected('a sub-attribute name after "."', token);
    }
    return token.text;
  }

  /** Splits `[urn:…:]attr[.subAttr]` at the last ':' and the '.' after it. */
  private toAttrPath(token: Token): AttrPath {
    if (token.kind !== 'word') this.lexer.failExpected('an attribute path', token);
    const word = token.text;
    let schema: string | undefined;
    let names = word;
    if (word.toLowerCase().startsWith('urn:')) {
      const lastColon = word.lastIndexOf(':');
      schema = word.slice(0, lastColon);
      names = word.slice(lastColon + 1);
      if (schema.length <= 'urn:'.length) {
        this.lexer.fail(`'${word}' is not a valid attribute path: expected urn:<schema>:<attribute>`, token.start);
      }
    }
    const [attr, subAttr, ...rest] = names.split('.');
    const validSubAttr = subAttr === undefined || isAttributeName(subAttr);
    const valid = attr !== undefined && isAttributeName(attr) && validSubAttr && rest.length === 0;
    if (!valid) this.lexer.failExpected('an attribute path ([urn:…:]name[.subAttribute])', token);
    const path: AttrPath = { attr };
    if (schema !== undefined) path.schema = schema;
    if (subAttr !== undefined) path.subAttr = subAttr;
    return path;
  }

  private nested<T>(opening: Token, parse: () => T): T {
    this.depth++;
    if (this.depth > MAX_FILTER_NESTING_DEPTH) {
      this.lexer.fail(`nesting deeper than ${MAX_FILTER_NESTING_DEPTH} levels`, opening.start);
    }
    const result = parse();
    this.depth--;
    return result;
  }

  private peekKeyword(keyword: 'and' | 'or'): boolean {
    const token = this.lexer.peek();
    return token.kind === 'word' && token.text.toLowerCase() === keyword;
  }

  private expect(kind: Token['kind'], expected: string): Token {
    const token = this.lexer.next();
    if (token.kind !== kind) this.lexer.failExpected(expected, token);
    return token;
  }

  private expectEnd(expected: string): void {
    const token = this.lexer.peek();
    if (token.kind !== 'end') this.lexer.failExpected(expected, token);
  }
}

function isOperatorWord(text: string): boolean {
  const lower = text.toLowerCase();
  return lower === 'pr' || COMPARE_OPERATORS.has(lower);
}

/** Bare tokens: true/false/null (any case) and JSON numbers are literals; anything else is a string (Q13). */
function bareValueLiteral(text: string): FilterValue {
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (isJsonNumberText(text)) {
    const number = Number(text);
    if (Number.isFinite(number)) return number;
  }
  return text;
}

/**
 * RFC 7643 ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA.
 * "$" (for `$ref`) and a leading "_" are tolerated.
 */
export function isAttributeName(text: string): boolean {
  if (text.length === 0) return false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index] ?? '';
    const isLetter = (char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z');
    const isLaterOnly = index > 0 && (char === '-' || (char >= '0' && char <= '9'));
    const allowed = isLetter || char === '$' || char === '_' || isLaterOnly;
    if (!allowed) return false;
  }
  return true;
}
