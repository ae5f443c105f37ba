// Finds and imports the compiled function modules the way the worker does: every file matched by
// package.json `main` (here `dist/functions/*.js`). Wildcards are supported in the file name only.
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

function wildcardToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('')
    .map((char) => {
      if (char === '*') return '[^/]*';
      if (char === '?') return '[^/]';
      return char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${body}$`);
}

/** Absolute paths matching `pattern` (relative to `root`), sorted for a stable registration order. */
export async function expandMainPattern(root: string, pattern: string): Promise<string[]> {
  const directory = dirname(pattern);
  const filePattern = basename(pattern);
  if (/[*?]/.test(directory)) {
    throw new Error(`package.json "main" (${pattern}): wildcards are supported in the file name only.`);
  }
  if (!/[*?]/.test(filePattern)) return [resolve(root, pattern)];
  const matcher = wildcardToRegExp(filePattern);
  const entries = await readdir(resolve(root, directory), { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && matcher.test(entry.name))
    .map((entry) => resolve(root, directory, entry.name))
    .sort();
}

export async function readMainPattern(root: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { main?: unknown };
  if (typeof manifest.main !== 'string' || manifest.main === '') {
    throw new Error('package.json has no "main" naming the function modules (for example "dist/functions/*.js").');
  }
  return manifest.main;
}

/** Imports every function module named by package.json `main`; returns their paths. */
export async function importFunctionModules(root: string): Promise<string[]> {
  const pattern = await readMainPattern(root);
  const files = await expandMainPattern(root, pattern);
  if (files.length === 0) throw new Error(`No function modules match package.json "main" (${pattern}).`);
  for (const file of files) {
    try {
      await import(pathToFileURL(file).href);
    } catch (error: unknown) {
      throw new Error(`Failed to load function module ${file}: ${(error as Error).message}`, { cause: error });
    }
  }
  return files;
}
