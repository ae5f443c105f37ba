// ASP.NET Core route templates as Azure Functions uses them: literal segments matched
// case-insensitively, `{param}`, optional `{param?}`, defaults `{param=value}`, catch-all
// `{*rest}` / `{**rest}`, and inline constraints `{id:guid}`, `{n:int:min(1)}`, `{s:regex(...)}`.
// Common constraints are checked; unknown ones are tolerated.

export interface RouteParameter {
  readonly name: string;
  readonly optional: boolean;
  readonly catchAll: boolean;
  readonly defaultValue?: string;
  readonly constraints: readonly string[];
}

type SegmentPart = { readonly literal: string } | { readonly parameter: RouteParameter };

export interface CompiledRoute {
  /** The full template, prefix included, without leading or trailing slashes. */
  readonly template: string;
  /** Sort key: lower ranks are tried first (literals before parameters before catch-alls). */
  readonly precedence: readonly number[];
  /** Route values for a normalized path (see `normalizeRequestPath`), or undefined when it does not match. */
  match(path: string): Record<string, string> | undefined;
}

/** Splits a path into decoded segments, dropping empty ones (so `//` and a trailing `/` never matter). */
export function normalizeRequestPath(rawPath: string): string {
  const segments = rawPath
    .split('/')
    .filter((segment) => segment !== '')
    .map(decodeSegment);
  return `/${segments.join('/')}`;
}

function decodeSegment(segment: string): string {
  try {
    // Like ASP.NET's PathString: decode everything except an encoded '/'.
    return decodeURIComponent(segment.replace(/%2f/gi, '%252F'));
  } catch {
    return segment;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function parseParameter(text: string, template: string): RouteParameter {
  let rest = text;
  let catchAll = false;
  if (rest.startsWith('**')) [catchAll, rest] = [true, rest.slice(2)];
  else if (rest.startsWith('*')) [catchAll, rest] = [true, rest.slice(1)];
  const nameMatch = /^[^:=?]+/.exec(rest);
  if (!nameMatch) throw new Error(`Route template "${template}" has a parameter without a name.`);
  const name = nameMatch[0].trim();
  rest = rest.slice(nameMatch[0].length);
  const constraints: string[] = [];
  while (rest.startsWith(':')) {
    let end = 1;
    let depth = 0;
    while (end < rest.length) {
      const char = rest[end];
      if (char === '(') depth += 1;
      else if (char === ')') depth -= 1;
      else if (depth === 0 && (char === ':' || char === '?' || char === '=')) break;
      end += 1;
    }
    constraints.push(rest.slice(1, end));
    rest = rest.slice(end);
  }
  let optional = false;
  let defaultValue: string | undefined;
  if (rest.startsWith('?')) [optional, rest] = [true, rest.slice(1)];
  if (rest.startsWith('=')) [defaultValue, rest] = [rest.slice(1), ''];
  if (rest !== '') throw new Error(`Route template "${template}" has an invalid parameter "{${text}}".`);
  return { name, optional: optional || defaultValue !== undefined || catchAll, catchAll, defaultValue, constraints };
}

/** Reads a parameter body up to its closing `}`; `{{` and `}}` inside stand for literal braces. */
function readParameterText(segment: string, start: number, template: string): [text: string, end: number] {
  let text = '';
  let index = start;
  while (index < segment.length) {
    const char = segment[index];
    const next = segment[index + 1];
    if ((char === '{' && next === '{') || (char === '}' && next === '}')) {
      text += char;
      index += 2;
    } else if (char === '}') {
      return [text, index + 1];
    } else {
      text += char ?? '';
      index += 1;
    }
  }
  throw new Error(`Route template "${template}" has an unclosed "{".`);
}

function parseSegment(segment: string, template: string): SegmentPart[] {
  const parts: SegmentPart[] = [];
  let literal = '';
  let index = 0;
  while (index < segment.length) {
    const char = segment[index] ?? '';
    const next = segment[index + 1];
    if ((char === '{' && next === '{') || (char === '}' && next === '}')) {
      literal += char;
      index += 2;
    } else if (char === '{') {
      const [text, end] = readParameterText(segment, index + 1, template);
      if (literal !== '') parts.push({ literal });
      literal = '';
      parts.push({ parameter: parseParameter(text, template) });
      index = end;
    } else {
      literal += char;
      index += 1;
    }
  }
  if (literal !== '') parts.push({ literal });
  return parts;
}

const SIMPLE_CONSTRAINTS: Record<string, (value: string) => boolean> = {
  int: (v) => /^[+-]?\d+$/.test(v),
  long: (v) => /^[+-]?\d+$/.test(v),
  bool: (v) => /^(true|false)$/i.test(v),
  alpha: (v) => /^[a-z]+$/i.test(v),
  guid: (v) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(v.replace(/^\{(.*)\}$/, '$1')),
  decimal: (v) => v.trim() !== '' && Number.isFinite(Number(v)),
  double: (v) => v.trim() !== '' && Number.isFinite(Number(v)),
  float: (v) => v.trim() !== '' && Number.isFinite(Number(v)),
  datetime: (v) => !Number.isNaN(Date.parse(v)),
  required: (v) => v !== '',
};

function satisfies(constraint: string, value: string): boolean {
  const call = /^(\w+)\((.*)\)$/s.exec(constraint);
  const name = (call?.[1] ?? constraint).toLowerCase();
  const args = call?.[2] ?? '';
  const numbers = args.split(',').map((n) => Number(n.trim()));
  const [a = Number.NaN, b = Number.NaN] = numbers;
  switch (name) {
    case 'minlength':
      return value.length >= a;
    case 'maxlength':
      return value.length <= a;
    case 'length':
      return numbers.length > 1 ? value.length >= a && value.length <= b : value.length === a;
    case 'min':
      return Number(value) >= a;
    case 'max':
      return Number(value) <= a;
    case 'range':
      return Number(value) >= a && Number(value) <= b;
    case 'regex':
      try {
        return new RegExp(args, 'i').test(value);
      } catch {
        return true;
      }
    default:
      return SIMPLE_CONSTRAINTS[name]?.(value) ?? true;
  }
}

function segmentRank(parts: SegmentPart[]): number {
  const [only] = parts;
  if (parts.length === 1 && only && 'literal' in only) return 1;
  if (parts.length > 1) return 2;
  const parameter = only && 'parameter' in only ? only.parameter : undefined;
  if (!parameter) return 1;
  if (parameter.catchAll) return 5;
  if (parameter.optional) return 4;
  return parameter.constraints.length > 0 ? 2 : 3;
}

/** Compiles `{routePrefix}/{template}` into a case-insensitive matcher. */
export function compileRouteTemplate(routePrefix: string, routeTemplate: string): CompiledRoute {
  const template = [routePrefix, routeTemplate]
    .flatMap((piece) => piece.split('/'))
    .filter((segment) => segment !== '')
    .join('/');
  const segments = template === '' ? [] : template.split('/').map((segment) => parseSegment(segment, template));
  const parameters: RouteParameter[] = [];
  let pattern = '';
  for (const parts of segments) {
    const [only] = parts;
    if (parts.length === 1 && only && 'parameter' in only && only.parameter.optional) {
      parameters.push(only.parameter);
      pattern += only.parameter.catchAll ? '(?:/(.*))?' : '(?:/([^/]+))?';
      continue;
    }
    pattern += '/';
    for (const part of parts) {
      if ('literal' in part) {
        pattern += escapeRegExp(part.literal);
      } else {
        parameters.push(part.parameter);
        pattern += part.parameter.catchAll ? '(.*)' : parts.length === 1 ? '([^/]+)' : '([^/]+?)';
      }
    }
  }
  const regex = new RegExp(`^${pattern}$`, 'i');

  return {
    template,
    precedence: segments.map(segmentRank),
    match(path) {
      const found = regex.exec(path === '/' ? '' : path);
      if (!found) return undefined;
      const values: Record<string, string> = {};
      for (const [index, parameter] of parameters.entries()) {
        const value = found[index + 1] ?? parameter.defaultValue;
        if (value === undefined || value === '') continue;
        if (!parameter.constraints.every((constraint) => satisfies(constraint, value))) return undefined;
        values[parameter.name] = value;
      }
      return values;
    },
  };
}

/** Orders routes the way ASP.NET picks among candidates: more specific first. */
export function compareRoutePrecedence(a: CompiledRoute, b: CompiledRoute): number {
  const length = Math.max(a.precedence.length, b.precedence.length);
  for (let index = 0; index < length; index += 1) {
    const difference = (a.precedence[index] ?? 0) - (b.precedence[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
