import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { brotliDecompressSync, inflateSync } from 'node:zlib';
import sparticuz from '@sparticuz/chromium';
import { type Browser, chromium } from 'playwright-core';

/**
 * Headless Chromium from npm packages alone, so `npm ci && npm test` passes on a machine that has
 * only Node and Java: the browser is @sparticuz/chromium's (a brotli-packed build inside the
 * package, nothing downloaded at install or run time), the Chinese glyphs come from
 * @fontsource/noto-sans-sc. Each launch gets its own fontconfig and profile in a temp folder.
 */
export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

/**
 * Fontsource ships web fonts (WOFF/WOFF2), which fontconfig does not read; WOFF 1.0 is an sfnt
 * whose tables are zlib-compressed one by one (W3C WOFF 1.0, section 4), so unpacking them gives
 * back the OpenType file.
 */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.toString('latin1', 0, 4) !== 'wOFF') throw new Error('not a WOFF 1.0 file');
  const flavor = woff.readUInt32BE(4);
  const numTables = woff.readUInt16BE(12);
  const entrySelector = Math.floor(Math.log2(numTables));
  const searchRange = 2 ** entrySelector * 16;
  const header = Buffer.alloc(12 + 16 * numTables);
  header.writeUInt32BE(flavor, 0);
  header.writeUInt16BE(numTables, 4);
  header.writeUInt16BE(searchRange, 6);
  header.writeUInt16BE(entrySelector, 8);
  header.writeUInt16BE(numTables * 16 - searchRange, 10);
  const bodies: Buffer[] = [];
  let offset = header.length;
  for (let i = 0; i < numTables; i++) {
    const entry = 44 + i * 20;
    const tableOffset = woff.readUInt32BE(entry + 4);
    const compLength = woff.readUInt32BE(entry + 8);
    const origLength = woff.readUInt32BE(entry + 12);
    const raw = woff.subarray(tableOffset, tableOffset + compLength);
    const data = compLength < origLength ? inflateSync(raw) : raw;
    const dir = 12 + i * 16;
    header.writeUInt32BE(woff.readUInt32BE(entry), dir); // tag
    header.writeUInt32BE(woff.readUInt32BE(entry + 16), dir + 4); // checksum
    header.writeUInt32BE(offset, dir + 8);
    header.writeUInt32BE(origLength, dir + 12);
    const padded = Buffer.alloc((data.length + 3) & ~3);
    data.copy(padded);
    bodies.push(padded);
    offset += padded.length;
  }
  return Buffer.concat([header, ...bodies]);
}

/** Writes the regular files of an uncompressed ustar archive into `dir`. */
function untar(tar: Buffer, dir: string): void {
  for (let at = 0; at + 512 <= tar.length; ) {
    const name = tar.toString('utf8', at, at + 100).replace(/\0.*$/s, '');
    if (name === '') break;
    const size = Number.parseInt(
      tar
        .toString('latin1', at + 124, at + 136)
        .replace(/\0.*$/s, '')
        .trim(),
      8,
    );
    const type = tar.toString('latin1', at + 156, at + 157);
    if (type === '0' || type === '\0') {
      const target = join(dir, name);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, tar.subarray(at + 512, at + 512 + size), { mode: 0o755 });
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
}

/**
 * The NSS libraries the browser links against, from the package's own Amazon Linux set, when the
 * machine lacks them (a bare Debian with only Node and Java does); otherwise the system's.
 */
function libraryPath(executable: string, workDir: string): string | undefined {
  const missing = execFileSync('ldd', [executable], { encoding: 'utf8' }).includes('not found');
  if (!missing) return undefined;
  const binDir = join(dirname(require.resolve('@sparticuz/chromium/package.json')), 'bin');
  untar(brotliDecompressSync(readFileSync(join(binDir, 'al2023.tar.br'))), workDir);
  return [join(workDir, 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
}

/** Starts headless Chromium with Noto Sans SC; `close()` stops it and removes its temp folder. */
export async function launchTestBrowser(): Promise<TestBrowser> {
  const executablePath = await sparticuz.executablePath();
  const workDir = mkdtempSync(join(tmpdir(), 'duban-e2e-'));
  const fontDir = join(workDir, 'fonts');
  mkdirSync(fontDir);
  const fontFiles = join(dirname(require.resolve('@fontsource/noto-sans-sc/package.json')), 'files');
  for (const weight of ['400', '700']) {
    const woff = readFileSync(join(fontFiles, `noto-sans-sc-chinese-simplified-${weight}-normal.woff`));
    writeFileSync(join(fontDir, `NotoSansSC-${weight}.otf`), woffToSfnt(woff));
  }
  // Latin text keeps the package's Open Sans (unpacked next to the browser by executablePath).
  const fontsConf = join(workDir, 'fonts.conf');
  writeFileSync(
    fontsConf,
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n` +
      `  <dir>${fontDir}</dir>\n  <dir>${join(tmpdir(), 'fonts')}</dir>\n` +
      `  <cachedir>${join(workDir, 'fontcache')}</cachedir>\n</fontconfig>\n`,
  );
  const ldPath = libraryPath(executablePath, workDir);
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      // One process is a Lambda necessity; here it only makes several contexts fragile.
      ...sparticuz.args.filter((arg) => arg !== '--single-process'),
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      // The machine's network is closed: no background calls, updates or sync.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    env: {
      ...process.env,
      FONTCONFIG_FILE: fontsConf,
      ...(ldPath === undefined ? {} : { LD_LIBRARY_PATH: ldPath }),
    },
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
