import { describe, expect, it } from 'vitest';
import { NcrontabError, nextOccurrence, parseNcrontab } from '../../../shared/sync-runs/ncrontab.js';

const next = (expression: string, after: string): string | undefined => nextOccurrence(parseNcrontab(expression), new Date(after))?.toISOString();

describe('NCRONTAB schedules (six fields, seconds first, UTC)', () => {
  it('fires the nightly default at 02:00 UTC, the next day once 02:00 has passed', () => {
    expect(next('0 0 2 * * *', '2026-12-02T01:59:59.500Z')).toBe('2026-12-02T02:00:00.000Z');
    expect(next('0 0 2 * * *', '2026-12-02T02:00:00.000Z')).toBe('2026-12-03T02:00:00.000Z');
  });

  it('takes steps, ranges and lists', () => {
    expect(next('*/15 * * * * *', '2026-12-02T10:00:14Z')).toBe('2026-12-02T10:00:15.000Z');
    expect(next('0 */5 * * * *', '2026-12-02T10:01:00Z')).toBe('2026-12-02T10:05:00.000Z');
    expect(next('0 30 9-17/4 * * *', '2026-12-02T13:30:00Z')).toBe('2026-12-02T17:30:00.000Z');
    expect(next('0 0 1,13 * * *', '2026-12-02T02:00:00Z')).toBe('2026-12-02T13:00:00.000Z');
    expect(next('5/20 * * * * *', '2026-12-02T10:00:26Z')).toBe('2026-12-02T10:00:45.000Z');
  });

  it('rolls over minutes, hours, days, months and years', () => {
    expect(next('0 0 0 1 1 *', '2026-12-02T00:00:00Z')).toBe('2027-01-01T00:00:00.000Z');
    expect(next('59 59 23 * * *', '2026-12-31T23:59:59Z')).toBe('2027-01-01T23:59:59.000Z');
  });

  it('accepts month and weekday names; both day fields must match (NCrontab, not Unix cron)', () => {
    // 2026-12-02 is a Wednesday.
    expect(next('0 0 3 * * Sun', '2026-12-02T00:00:00Z')).toBe('2026-12-06T03:00:00.000Z');
    expect(next('0 0 0 * Feb mon-fri', '2026-12-02T00:00:00Z')).toBe('2027-02-01T00:00:00.000Z');
    expect(next('0 0 0 13 * 5', '2026-12-02T00:00:00Z')).toBe('2027-08-13T00:00:00.000Z');
  });

  it('knows short months and leap years', () => {
    expect(next('0 0 0 31 * *', '2026-04-01T00:00:00Z')).toBe('2026-05-31T00:00:00.000Z');
    expect(next('0 0 0 29 2 *', '2026-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
  });

  it('answers undefined for a schedule that never fires', () => {
    expect(next('0 0 0 31 2 *', '2026-01-01T00:00:00Z')).toBeUndefined();
  });

  it.each([
    ['0 0 2 * *', /5 fields, not 6/],
    ['0 0 2 * * * *', /7 fields/],
    ['60 0 2 * * *', /second "60" is not between 0 and 59/],
    ['0 0 24 * * *', /hour "24"/],
    ['0 0 2 0 * *', /day "0"/],
    ['0 0 2 * 13 *', /month "13"/],
    ['0 0 2 * * 7', /day-of-week "7"/],
    ['0 0 2 * * Funday', /day-of-week "Funday"/],
    ['*/0 * * * * *', /step "0"/],
    ['0 0 5-2 * * *', /runs backwards/],
    ['0 0 1-2-3 * * *', /malformed/],
    ['0 0 ,2 * * *', /malformed/],
    ['0 0 x * * *', /hour "x"/],
  ])('refuses %s, naming the problem', (expression, problem) => {
    expect(() => parseNcrontab(expression)).toThrow(NcrontabError);
    expect(() => parseNcrontab(expression)).toThrow(problem);
  });
});
