// The release as one .tar.gz and its SHA-256 in sha256sum's format, so the VM checks it with `sha256sum -c`.
// GNU tar writes the archive (the same tar that unpacks it on Debian), with the entries in name order and one fixed
// time, owner and mode per kind, so the same files give the same bytes.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/** Archives `folder` (its own name becomes the top folder of the archive) into `archive`, gzip-compressed. */
export async function writeArchive(folder: string, archive: string): Promise<void> {
  const tar = spawn(
    'tar',
    [
      '--create',
      '--file=-',
      '--sort=name',
      '--mtime=@0',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--mode=u+rwX,go+rX,go-w',
      '--format=gnu',
      `--directory=${dirname(folder)}`,
      basename(folder),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  tar.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    tar.on('error', reject);
    tar.on('close', resolve);
  });
  // zlib writes no name and no time into the gzip header: the same tar gives the same .tar.gz.
  await pipeline(tar.stdout, createGzip({ level: 9 }), createWriteStream(archive));
  const code = await exited;
  if (code !== 0) throw new Error(`tar exited ${code}: ${stderr.trim()}`);
}

/** Writes `<archive>.sha256` (`<hex>  <file name>`), and returns the hex digest. */
export async function writeChecksum(archive: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(archive), hash);
  const hex = hash.digest('hex');
  await writeFile(`${archive}.sha256`, `${hex}  ${basename(archive)}\n`);
  return hex;
}
