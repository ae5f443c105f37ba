// How one attribute value compares with one filter literal (RFC 7644 §3.4.2.2), with the leniency Entra needs:
// string booleans (Q5: `primary eq "True"`), numeric strings against numbers, and ISO-8601 date-times compared as
// instants for gt/ge/lt/le (`meta.created gt 2015-10-10T14:38:21.8617979-07:00`).

import type { CompareOperator, FilterValue } from './ast.js';
import { isJsonNumberText } from './lexer.js';

/**
 * True when `actual` (one attribute value, never an array) satisfies `actual <op> expected`.
 * Strings compare case-insensitively (String.prototype.toLowerCase) unless `caseExact`.
 * Booleans support only eq/ne; objects, arrays, null and undefined never match.
 */
export function compareValue(actual: unknown, op: CompareOperator, expected: FilterValue, caseExact: boolean): boolean {
  if (actual === null || actual === undefined || expected === null) return false;
  if (typeof actual === 'boolean' || typeof expected === 'boolean') return compareBooleans(actual, op, expected);
  if (typeof actual === 'number' || typeof expected === 'number') {
    const actualNumber = asNumber(actual);
    const expectedNumber = asNumber(expected);
    if (actualNumber !== undefined && expectedNumber !== undefined && !isSubstringOperator(op)) {
      return holds(op, Math.sign(actualNumber - expectedNumber));
    }
  }
  if (!isScalar(actual)) return false;
  return compareStrings(String(actual), op, String(expected), caseExact);
}

function compareBooleans(actual: unknown, op: CompareOperator, expected: FilterValue): boolean {
  const actualBoolean = asBoolean(actual);
  const expectedBoolean = asBoolean(expected);
  if (actualBoolean === undefined || expectedBoolean === undefined) return false;
  if (op === 'eq') return actualBoolean === expectedBoolean;
  if (op === 'ne') return actualBoolean !== expectedBoolean;
  return false;
}

function compareStrings(actual: string, op: CompareOperator, expected: string, caseExact: boolean): boolean {
  const left = caseExact ? actual : actual.toLowerCase();
  const right = caseExact ? expected : expected.toLowerCase();
  switch (op) {
    case 'eq':
      return left === right;
    case 'ne':
      return left !== right;
    case 'co':
      return left.includes(right);
    case 'sw':
      return left.startsWith(right);
    case 'ew':
      return left.endsWith(right);
    default: {
      const leftInstant = parseInstant(actual);
      const rightInstant = parseInstant(expected);
      if (leftInstant !== undefined && rightInstant !== undefined) {
        return holds(op, leftInstant === rightInstant ? 0 : leftInstant > rightInstant ? 1 : -1);
      }
      return holds(op, left === right ? 0 : left > right ? 1 : -1);
    }
  }
}

/** Whether an ordering (-1, 0, 1 of actual versus expected) satisfies the operator. */
function holds(op: CompareOperator, ordering: number): boolean {
  switch (op) {
    case 'eq':
      return ordering === 0;
    case 'ne':
      return ordering !== 0;
    case 'gt':
      return ordering > 0;
    case 'ge':
      return ordering >= 0;
    case 'lt':
      return ordering < 0;
    case 'le':
      return ordering <= 0;
    default:
      return false;
  }
}

function isSubstringOperator(op: CompareOperator): boolean {
  return op === 'co' || op === 'sw' || op === 'ew';
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !isJsonNumberText(value)) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

// YYYY-MM-DD, optionally followed by Thh:mm[:ss[.fraction]] and Z or ±hh:mm.
// Any fraction length is accepted: .NET clients send 7 digits.
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?$/;

/**
 * An ISO-8601 date or date-time as nanoseconds since the epoch; undefined when `text` is not one.
 * A missing zone means UTC.
 */
export function parseInstant(text: string): bigint | undefined {
  const match = ISO_DATE_TIME.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', , sign, offsetHour, offsetMinute] =
    match;
  const fields = [year, month, day, hour, minute, second].map(Number);
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = fields;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, Math.min(s, 59), 0);
  if (date.getUTCDate() !== d) return undefined;
  const epochMs = date.getTime();
  const offsetMinutes =
    sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetHour) * 60 + Number(offsetMinute));
  if (sign !== undefined && (Number(offsetHour) > 23 || Number(offsetMinute) > 59)) return undefined;
  const fractionNanos = BigInt((fraction + '000000000').slice(0, 9));
  return (BigInt(epochMs) - BigInt(offsetMinutes) * 60_000n) * 1_000_000n + fractionNanos;
}
