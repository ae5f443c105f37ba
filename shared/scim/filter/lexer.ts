// The lexer for RFC 7644 §3.4.2.2 filters and §3.5.2 PATCH paths. It is context-sensitive on purpose: where the
// parser expects a comparison value it asks for `nextValue()`, which also accepts the bare unquoted tokens real
// clients send (Q13: `externalId eq jyoung`, `meta.created gt 2015-10-10T14:38:21.8617979-07:00`). Everywhere else
// `next()` splits the text into brackets, parentheses, dots, string literals and words.

import { badRequest } from '../errors.js';
import type { ScimType } from '../errors.js';

export type TokenKind =
  | 'word'
  | 'string'
  | 'bareValue'
  | 'leftParen'
  | 'rightParen'
  | 'leftBracket'
  | 'rightBracket'
  | 'dot'
  | 'end';

export interface Token {
  kind: TokenKind;
  /** A word or bare value as written; a string literal decoded (no quotes, escapes resolved). */
  text: string;
  /** 0-based offset of the token's first character. */
  start: number;
  /** 0-based offset just past the token's last character. */
  end: number;
}

/** The scimType a syntax error is reported with: filters and PATCH paths use different ones. */
export type SyntaxErrorType = Extract<ScimType, 'invalidFilter' | 'invalidPath'>;

const SINGLE_CHARACTER_TOKENS: ReadonlyMap<string, TokenKind> = new Map([
  ['(', 'leftParen'],
  [')', 'rightParen'],
  ['[', 'leftBracket'],
  [']', 'rightBracket'],
  ['.', 'dot'],
]);

const WORD_TERMINATORS = new Set(['(', ')', '[', ']', '"']);
const BARE_VALUE_TERMINATORS = new Set([')', ']']);
const SIMPLE_ESCAPES: ReadonlyMap<string, string> = new Map([
  ['"', '"'],
  ['\\', '\\'],
  ['/', '/'],
  ['b', '\b'],
  ['f', '\f'],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
]);

export function isWhitespace(char: string): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\f' || char === '\v';
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

function isHexDigit(char: string | undefined): boolean {
  return isDigit(char) || (char !== undefined && ((char >= 'a' && char <= 'f') || (char >= 'A' && char <= 'F')));
}

/** True when `text` is exactly a JSON number (RFC 8259 §6): `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`. */
export function isJsonNumberText(text: string): boolean {
  let index = 0;
  const skipDigits = (): number => {
    const from = index;
    while (isDigit(text[index])) index++;
    return index - from;
  };
  if (text[index] === '-') index++;
  if (text[index] === '0') index++;
  else if (skipDigits() === 0) return false;
  if (text[index] === '.') {
    index++;
    if (skipDigits() === 0) return false;
  }
  if (text[index] === 'e' || text[index] === 'E') {
    index++;
    if (text[index] === '+' || text[index] === '-') index++;
    if (skipDigits() === 0) return false;
  }
  return index === text.length;
}

export class FilterLexer {
  private offset = 0;

  /**
   * @param text the whole filter or path
   * @param errorType the scimType of every syntax error
   * @param subject how error details name the input, e.g. "Invalid filter"
   */
  constructor(
    readonly text: string,
    readonly errorType: SyntaxErrorType,
    private readonly subject: string,
  ) {}

  /** The next structural token, left unconsumed. */
  peek(): Token {
    return this.peekAt(this.offset);
  }

  /** The structural token starting at or after `offset`, without moving. */
  peekAt(offset: number): Token {
    const saved = this.offset;
    this.offset = offset;
    try {
      return this.next();
    } finally {
      this.offset = saved;
    }
  }

  /** Consumes and returns the next structural token. */
  next(): Token {
    this.skipWhitespace();
    const start = this.offset;
    const char = this.text[start];
    if (char === undefined) return { kind: 'end', text: '', start, end: start };
    const singleKind = SINGLE_CHARACTER_TOKENS.get(char);
    if (singleKind !== undefined) {
      this.offset++;
      return { kind: singleKind, text: char, start, end: this.offset };
    }
    if (char === '"') return this.readStringLiteral();
    while (this.offset < this.text.length) {
      const current = this.text[this.offset] ?? '';
      if (isWhitespace(current) || WORD_TERMINATORS.has(current)) break;
      this.offset++;
    }
    return { kind: 'word', text: this.text.slice(start, this.offset), start, end: this.offset };
  }

  /**
   * Consumes a comparison value: a JSON string literal, or a bare token that runs until whitespace, `)` or `]`.
   * Returns an `end`, `rightParen` or `rightBracket` token (unconsumed) when no value is there.
   */
  nextValue(): Token {
    this.skipWhitespace();
    const start = this.offset;
    const char = this.text[start];
    if (char === '"') return this.readStringLiteral();
    if (char === undefined || BARE_VALUE_TERMINATORS.has(char)) return this.peek();
    while (this.offset < this.text.length) {
      const current = this.text[this.offset] ?? '';
      if (isWhitespace(current) || BARE_VALUE_TERMINATORS.has(current)) break;
      this.offset++;
    }
    return { kind: 'bareValue', text: this.text.slice(start, this.offset), start, end: this.offset };
  }

  /** Throws the syntax error: `<subject> at position <1-based>: <message>`. */
  fail(message: string, offset: number): never {
    throw badRequest(this.errorType, `${this.subject} at position ${offset + 1}: ${message}`);
  }

  /** Throws "expected X, found <token>" at the token. */
  failExpected(expected: string, found: Token): never {
    this.fail(`expected ${expected}, found ${describeToken(found)}`, found.start);
  }

  private skipWhitespace(): void {
    while (this.offset < this.text.length && isWhitespace(this.text[this.offset] ?? '')) this.offset++;
  }

  /** Reads a JSON string literal starting at the opening quote; raw control characters are tolerated. */
  private readStringLiteral(): Token {
    const start = this.offset;
    this.offset++;
    let decoded = '';
    for (;;) {
      const char = this.text[this.offset];
      if (char === undefined) this.fail('unterminated string literal', start);
      if (char === '"') break;
      if (char === '\\') {
        decoded += this.readEscape();
        continue;
      }
      decoded += char;
      this.offset++;
    }
    this.offset++;
    return { kind: 'string', text: decoded, start, end: this.offset };
  }

  private readEscape(): string {
    const escapeStart = this.offset;
    const marker = this.text[this.offset + 1];
    const simple = marker === undefined ? undefined : SIMPLE_ESCAPES.get(marker);
    if (simple !== undefined) {
      this.offset += 2;
      return simple;
    }
    if (marker === 'u') {
      const hex = this.text.slice(this.offset + 2, this.offset + 6);
      if (hex.length === 4 && [...hex].every(isHexDigit)) {
        this.offset += 6;
        return String.fromCharCode(Number.parseInt(hex, 16));
      }
      this.fail('expected four hex digits after \\u in string literal', escapeStart);
    }
    const allowed = String.raw`\" \\ \/ \b \f \n \r \t \uXXXX`;
    this.fail(`invalid escape sequence in string literal (allowed: ${allowed})`, escapeStart);
  }
}

const MAX_DESCRIBED_LENGTH = 30;

/** How an error detail shows a token: `end of input`, `')'`, `'jyoung'` or a JSON string. */
export function describeToken(token: Token): string {
  if (token.kind === 'end') return 'end of input';
  if (token.kind === 'string') return `string ${truncate(JSON.stringify(token.text))}`;
  return `'${truncate(token.text)}'`;
}

function truncate(text: string): string {
  return text.length > MAX_DESCRIBED_LENGTH ? `${text.slice(0, MAX_DESCRIBED_LENGTH)}…` : text;
}
