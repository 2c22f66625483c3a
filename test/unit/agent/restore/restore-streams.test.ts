// The streams between a download and the restore tool: the hashes that judge the bytes, the hold that keeps the
// dump's end from the tool until they are judged, and mysqldump's definers rewritten on the way.
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { DefinerFilter } from '../../../../agent/engines/mysql-definers.js';
import { HoldUntilVerified } from '../../../../agent/restore/hold-until-verified.js';
import { VerifyingStream } from '../../../../agent/restore/verify-hashes.js';
import { hashesOf } from '../../functions/scripted-agent.js';

const data = Buffer.from('x'.repeat(100_000));
const expected = (bytes: Buffer) => {
  const { bytesUploaded: size, crc32c, md5 } = hashesOf(bytes);
  return { size, crc32c: crc32c as string, md5: md5 as string };
};

async function verify(bytes: Buffer, wanted = expected(data)) {
  const verifier = new VerifyingStream(wanted);
  const passed = pipeline(
    Readable.from([bytes.subarray(0, 4096), bytes.subarray(4096)]),
    verifier,
    async (source) => {
      for await (const _ of source);
    },
  );
  return {
    passed: await passed.then(
      () => 'ok',
      (error: Error) => error,
    ),
    verdict: await verifier.verdict.then(
      () => 'ok',
      (error: Error) => error,
    ),
  };
}

describe('VerifyingStream', () => {
  it('passes the object’s own bytes and resolves its verdict', async () => {
    expect(await verify(data)).toEqual({ passed: 'ok', verdict: 'ok' });
  });

  it.each([
    ['one byte changed', Buffer.concat([data.subarray(0, 500), Buffer.from('y'), data.subarray(501)])],
    ['one byte missing', data.subarray(1)],
    ['one byte more', Buffer.concat([data, Buffer.from('x')])],
  ])('refuses %s with HASH_MISMATCH, in the stream and its verdict', async (_what, bytes) => {
    const { passed, verdict } = await verify(bytes);
    expect(passed).toMatchObject({ code: 'HASH_MISMATCH' });
    expect(verdict).toBe(passed);
  });
});

describe('HoldUntilVerified', () => {
  it('passes all but the last bytes at once, and the rest only once the verdict is good', async () => {
    let pass!: () => void;
    const verdict = new Promise<void>((resolve) => {
      pass = resolve;
    });
    const hold = new HoldUntilVerified(verdict, 1000);
    const seen: Buffer[] = [];
    hold.on('data', (chunk: Buffer) => seen.push(chunk));
    for (let i = 0; i < 10; i++) hold.write(Buffer.alloc(500, i));
    hold.end();
    await new Promise((resolve) => setImmediate(resolve));
    const early = Buffer.concat(seen).length;
    expect(early).toBe(4000);
    pass();
    await new Promise((resolve) => hold.once('end', resolve));
    expect(Buffer.concat(seen)).toEqual(
      Buffer.concat(Array.from({ length: 10 }, (_, i) => Buffer.alloc(500, i))),
    );
  });

  it('lets out only what came before the held end when the verdict is bad, and then fails', async () => {
    let fail!: (error: Error) => void;
    const verdict = new Promise<void>((_resolve, reject) => {
      fail = reject;
    });
    const hold = new HoldUntilVerified(verdict, 1000);
    const seen: Buffer[] = [];
    hold.on('data', (chunk: Buffer) => seen.push(chunk));
    const ended = new Promise<Error | undefined>((resolve) => {
      hold.once('error', resolve);
      hold.once('end', () => resolve(undefined));
    });
    for (let i = 0; i < 6; i++) hold.write(Buffer.alloc(500, i));
    hold.end();
    await new Promise((resolve) => setImmediate(resolve));
    fail(new Error('bad bytes'));
    expect(await ended).toMatchObject({ message: 'bad bytes' });
    // The first 2,000 of the 3,000 bytes, and not one byte of the held 1,000.
    expect(Buffer.concat(seen)).toEqual(Buffer.concat([0, 1, 2, 3].map((i) => Buffer.alloc(500, i))));
  });
});

describe('DefinerFilter', () => {
  it('makes the restore user the definer of routines, triggers, views and events, and leaves rows alone', async () => {
    const dump = [
      '/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER t AFTER INSERT ON v FOR EACH ROW',
      'CREATE DEFINER=`ad``min`@`%` PROCEDURE `p`()',
      '/*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */',
      "INSERT INTO `notes` VALUES (1,'DEFINER=`root`@`localhost` stays as data'),",
      `(2,'${'é'.repeat(2000)}');`,
      '',
    ].join('\n');
    const bytes = Buffer.from(dump);
    for (const size of [bytes.length, 1, 7, 100]) {
      const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
        bytes.subarray(i * size, (i + 1) * size),
      );
      const out = (await buffer(Readable.from(chunks).pipe(new DefinerFilter()))).toString();
      expect(out.split('\n').slice(0, 3), `chunks of ${size}`).toEqual([
        '/*!50003 CREATE*/ /*!50017 DEFINER=CURRENT_USER*/ /*!50003 TRIGGER t AFTER INSERT ON v FOR EACH ROW',
        'CREATE DEFINER=CURRENT_USER PROCEDURE `p`()',
        '/*!50013 DEFINER=CURRENT_USER SQL SECURITY DEFINER */',
      ]);
      expect(out.split('\n').slice(3).join('\n')).toBe(dump.split('\n').slice(3).join('\n'));
    }
  });
});
