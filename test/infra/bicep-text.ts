// Reading Bicep as text: no Bicep CLI is reachable here, so the infra tests check what a careful reader can check.
// Enough of the grammar to strip comments, find a `{ … }` block and list its top-level keys, nothing more.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export function readRepoFile(path: string): string {
  return readFileSync(join(repoRoot, path), 'utf8');
}

/** Every file under a repository folder, as repository-relative paths. */
export function listRepoFiles(folder: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const full = join(dir, name);
      return statSync(full).isDirectory() ? walk(full) : [relative(repoRoot, full)];
    });
  return walk(join(repoRoot, folder));
}

/** Calls `visit` for each character outside single-quoted strings (Bicep's only string form we use). */
function scanOutsideStrings(text: string, visit: (index: number) => number | void): void {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === "'") inString = false;
      continue;
    }
    if (ch === "'") {
      inString = true;
      continue;
    }
    const next = visit(i);
    if (next !== undefined) i = next;
  }
}

/** The text without `// …` and `/* … *\/` comments (a `//` inside a string such as a URL stays). */
export function stripBicepComments(text: string): string {
  const cut: [number, number][] = [];
  scanOutsideStrings(text, (i) => {
    if (text.startsWith('//', i)) {
      const end = text.indexOf('\n', i);
      cut.push([i, end === -1 ? text.length : end]);
      return (end === -1 ? text.length : end) - 1;
    }
    if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      cut.push([i, stop]);
      return stop - 1;
    }
    return undefined;
  });
  let out = '';
  let from = 0;
  for (const [start, end] of cut) {
    out += text.slice(from, start);
    from = end;
  }
  return out + text.slice(from);
}

/** The inside of the `{ … }` block that opens at the end of the first match of `opener` (which must end in `{`). */
export function blockAfter(text: string, opener: RegExp): string {
  const match = opener.exec(text);
  if (match === null) throw new Error(`no match for ${String(opener)}`);
  const start = match.index + match[0].length;
  let depth = 1;
  let end = -1;
  scanOutsideStrings(text.slice(start), (i) => {
    const ch = text[start + i];
    if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
    if (depth === 0 && end === -1) {
      end = i;
      return text.length;
    }
    return undefined;
  });
  if (end === -1) throw new Error(`unclosed block after ${String(opener)}`);
  return text.slice(start, start + end);
}

function bracketDelta(line: string): number {
  let delta = 0;
  scanOutsideStrings(line, (i) => {
    const ch = line[i];
    if (ch === '{' || ch === '[') delta++;
    else if (ch === '}' || ch === ']') delta--;
    return undefined;
  });
  return delta;
}

/** Keys of an object body at its own top level, bare or quoted (nested objects and arrays are skipped). */
export function topLevelKeys(body: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (const line of body.split('\n')) {
    const key = depth === 0 ? /^\s*(?:([A-Za-z_]\w*)|'((?:[^'\\]|\\.)*)')\s*:/.exec(line) : null;
    const name = key?.[1] ?? key?.[2];
    if (name !== undefined) keys.push(name);
    depth += bracketDelta(line);
  }
  return keys;
}
