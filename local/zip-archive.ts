// The zip format, as much of it as a deployment package needs: deflated files, UTF-8 names, no ZIP64 (the package is
// megabytes, not gigabytes). Written by hand with node:zlib so packaging needs no dependency. Writing is deterministic:
// entries sorted by path, every timestamp 1980-01-01 00:00 and fixed Unix modes, so the same tree gives the same bytes.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const UTF8_NAMES = 0x0800;
const DEFLATE = 8;
const STORE = 0;
const VERSION = 20;
const MADE_BY_UNIX = (3 << 8) | VERSION;
const DOS_DATE_1980_01_01 = (1 << 5) | 1;
const FILE_MODE = 0o100644;
const MAX_ENTRIES = 0xffff;
const MAX_SIZE = 0xffffffff;

/** Files under `root`, as forward-slash paths relative to it, sorted. */
async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

interface EntryFields {
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  nameLength: number;
}

/**
 * The 26 bytes the local header (at 4) and the central directory entry (at 6) share, from "version needed" to the
 * name's length: version, flags, method, time, date, CRC-32, both sizes.
 */
function writeEntryFields(header: Buffer, at: number, fields: EntryFields): void {
  header.writeUInt16LE(VERSION, at);
  header.writeUInt16LE(UTF8_NAMES, at + 2);
  header.writeUInt16LE(fields.method, at + 4);
  header.writeUInt16LE(0, at + 6);
  header.writeUInt16LE(DOS_DATE_1980_01_01, at + 8);
  header.writeUInt32LE(fields.crc, at + 10);
  header.writeUInt32LE(fields.compressedSize, at + 14);
  header.writeUInt32LE(fields.size, at + 18);
  header.writeUInt16LE(fields.nameLength, at + 22);
}

/** Zips every file under `root` into `zipPath`; returns the zip's size in bytes and its number of files. */
export async function writeZip(root: string, zipPath: string): Promise<{ bytes: number; files: number }> {
  const names = await listFiles(root);
  if (names.length > MAX_ENTRIES) throw new Error(`${names.length} files: more than a zip without ZIP64 holds.`);
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const name of names) {
    const data = await readFile(join(root, name));
    const deflated = deflateRawSync(data, { level: 9 });
    const method = deflated.length < data.length ? DEFLATE : STORE;
    const body = method === DEFLATE ? deflated : data;
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    if (offset + body.length > MAX_SIZE) throw new Error('The package is larger than a zip without ZIP64 holds.');
    const fields = { method, crc, compressedSize: body.length, size: data.length, nameLength: nameBytes.length };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_HEADER, 0);
    writeEntryFields(local, 4, fields);
    local.writeUInt16LE(0, 28);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(CENTRAL_HEADER, 0);
    entry.writeUInt16LE(MADE_BY_UNIX, 4);
    writeEntryFields(entry, 6, fields);
    entry.writeUInt32LE(FILE_MODE * 0x10000, 38);
    entry.writeUInt32LE(offset, 42);
    parts.push(local, nameBytes, body);
    central.push(entry, nameBytes);
    offset += local.length + nameBytes.length + body.length;
  }
  const centralSize = central.reduce((sum, part) => sum + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  end.writeUInt16LE(names.length, 8);
  end.writeUInt16LE(names.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  const zip = Buffer.concat([...parts, ...central, end]);
  await writeFile(zipPath, zip);
  return { bytes: zip.length, files: names.length };
}

/** Unpacks `zipPath` into `destination`; returns the paths written. Refuses entries that would land outside it. */
export async function extractZip(zipPath: string, destination: string): Promise<string[]> {
  const zip = await readFile(zipPath);
  const endAt = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endAt < 0) throw new Error(`${zipPath} is not a zip file (no end of central directory).`);
  const count = zip.readUInt16LE(endAt + 10);
  let at = zip.readUInt32LE(endAt + 16);
  const root = resolve(destination);
  const written: string[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== CENTRAL_HEADER) throw new Error(`${zipPath}: bad central directory entry ${i}.`);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localAt = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    const target = resolve(root, name);
    if (isAbsolute(name) || !target.startsWith(root + sep)) throw new Error(`${zipPath}: entry "${name}" leaves the folder.`);
    if (name.endsWith('/')) continue;
    const dataAt = localAt + 30 + zip.readUInt16LE(localAt + 26) + zip.readUInt16LE(localAt + 28);
    const body = zip.subarray(dataAt, dataAt + compressedSize);
    if (method !== STORE && method !== DEFLATE) throw new Error(`${zipPath}: entry "${name}" uses method ${method}.`);
    const data = method === DEFLATE ? inflateRawSync(body) : body;
    if (crc32(data) !== crc) throw new Error(`${zipPath}: entry "${name}" fails its CRC check.`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, data);
    written.push(name);
  }
  return written;
}
