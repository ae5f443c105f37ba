// NCRONTAB, the schedule language of Azure Functions timer triggers: six fields, seconds first
// (`{second} {minute} {hour} {day} {month} {day-of-week}`), evaluated in UTC as the host does on Linux. Each field takes
// `*`, a value, a range `a-b`, a step `*/n` or `a-b/n`, and comma-separated lists of those; months and days of the
// week also take their English three-letter names. As in NCrontab (which the host uses), a time matches when every
// field matches: a restricted day of the month and a restricted day of the week must both hold.
// Written here rather than taken from a library: the cron packages on npm speak five-field Unix cron or their own
// dialects (OR of the two day fields), and the whole grammar is this small.

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day-of-week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/** How far ahead the next occurrence is searched (a schedule such as `0 0 0 31 2 *` never fires). */
const SEARCH_HORIZON_DAYS = 366 * 5;

export class NcrontabError extends Error {
  constructor(expression: string, problem: string) {
    super(`Invalid NCRONTAB schedule "${expression}": ${problem}. Expected six fields, seconds first, e.g. "0 0 2 * * *" (02:00 UTC daily).`);
    this.name = 'NcrontabError';
  }
}

export interface NcrontabSchedule {
  readonly expression: string;
  /** Allowed values of each field, in FIELDS order. */
  readonly fields: readonly ReadonlySet<number>[];
}

function parseValue(text: string, spec: FieldSpec, expression: string): number {
  const byName = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  const value = byName >= 0 ? byName + spec.min : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
    throw new NcrontabError(expression, `${spec.name} "${text}" is not between ${spec.min} and ${spec.max}`);
  }
  return value;
}

function parseField(text: string, spec: FieldSpec, expression: string): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [rangeText = '', stepText, extra] = part.split('/');
    if (rangeText === '' || extra !== undefined) throw new NcrontabError(expression, `${spec.name} "${part}" is malformed`);
    const step = stepText === undefined ? 1 : /^\d+$/.test(stepText) ? Number(stepText) : 0;
    if (step < 1) throw new NcrontabError(expression, `${spec.name} step "${stepText ?? ''}" must be a positive whole number`);
    let [from, to] = [spec.min, spec.max];
    if (rangeText !== '*') {
      const [fromText = '', toText, more] = rangeText.split('-');
      if (more !== undefined) throw new NcrontabError(expression, `${spec.name} range "${rangeText}" is malformed`);
      from = parseValue(fromText, spec, expression);
      to = toText === undefined ? (stepText === undefined ? from : spec.max) : parseValue(toText, spec, expression);
      if (to < from) throw new NcrontabError(expression, `${spec.name} range "${rangeText}" runs backwards`);
    }
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return values;
}

export function parseNcrontab(expression: string): NcrontabSchedule {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== FIELDS.length) throw new NcrontabError(expression, `it has ${parts.length} fields, not ${FIELDS.length}`);
  return { expression, fields: FIELDS.map((spec, index) => parseField(parts[index] ?? '', spec, expression)) };
}

function firstAtOrAfter(values: ReadonlySet<number>, from: number, max: number): number | undefined {
  for (let value = from; value <= max; value++) if (values.has(value)) return value;
  return undefined;
}

/** The first time strictly after `after` (whole seconds, UTC) that the schedule matches; undefined if none within 5 years. */
export function nextOccurrence(schedule: NcrontabSchedule, after: Date): Date | undefined {
  const [seconds, minutes, hours, days, months, weekdays] = schedule.fields as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  const start = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
  const startDay = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
  for (let offset = 0; offset <= SEARCH_HORIZON_DAYS; offset++) {
    const day = new Date(startDay + offset * 86_400_000);
    if (!months.has(day.getUTCMonth() + 1) || !days.has(day.getUTCDate()) || !weekdays.has(day.getUTCDay())) continue;
    const sameDay = offset === 0;
    for (let hour = firstAtOrAfter(hours, sameDay ? start.getUTCHours() : 0, 23); hour !== undefined; hour = firstAtOrAfter(hours, hour + 1, 23)) {
      const sameHour = sameDay && hour === start.getUTCHours();
      for (let minute = firstAtOrAfter(minutes, sameHour ? start.getUTCMinutes() : 0, 59); minute !== undefined; minute = firstAtOrAfter(minutes, minute + 1, 59)) {
        const sameMinute = sameHour && minute === start.getUTCMinutes();
        const second = firstAtOrAfter(seconds, sameMinute ? start.getUTCSeconds() : 0, 59);
        if (second !== undefined) return new Date(day.getTime() + ((hour * 60 + minute) * 60 + second) * 1000);
      }
    }
  }
  return undefined;
}
