// Scripted failures for the Graph fake: the next matching requests answer 429 (with or without Retry-After), 503 or
// 504 instead of their real answer, in the order the rules were added. Deterministic: a rule fires on exactly the
// requests it names, `times` times.

export interface FaultRule {
  /** Matched against the request's path and query; every Graph request when absent. */
  readonly path?: RegExp;
  readonly status: 429 | 500 | 503 | 504;
  /** Retry-After: seconds, or an HTTP date as a string; no header when absent. */
  readonly retryAfter?: number | string;
  /** How many matching requests fail; 1 when absent. */
  readonly times?: number;
}

export interface FaultToApply {
  readonly status: number;
  readonly headers: Record<string, string>;
}

export class FaultPlan {
  private readonly rules: { rule: FaultRule; left: number }[] = [];
  /** Faults applied so far, in order. */
  readonly applied: { status: number; path: string }[] = [];

  add(rule: FaultRule): this {
    this.rules.push({ rule, left: rule.times ?? 1 });
    return this;
  }

  clear(): void {
    this.rules.length = 0;
  }

  take(url: URL): FaultToApply | undefined {
    const target = `${url.pathname}${url.search}`;
    const entry = this.rules.find(({ rule, left }) => left > 0 && (rule.path === undefined || rule.path.test(decodeURIComponent(target))));
    if (entry === undefined) return undefined;
    entry.left -= 1;
    this.applied.push({ status: entry.rule.status, path: url.pathname });
    const headers: Record<string, string> = {};
    if (entry.rule.retryAfter !== undefined) headers['Retry-After'] = String(entry.rule.retryAfter);
    if (entry.rule.status === 429) {
      headers['x-ms-throttle-scope'] = 'Tenant_Application/ReadWrite/fake';
      headers['x-ms-throttle-information'] = 'ResourceUnitLimitExceeded';
    }
    return { status: entry.rule.status, headers };
  }
}
