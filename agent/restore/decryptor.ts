// Decryption of an encrypted backup (`….age`) on its way to the decompressor: `age -d` with the agent's identity
// files, its failure told apart by what age says — wrong identity, cut short, or altered.
import type { Readable, Writable } from 'node:stream';
import { BackupError, type ErrorCode } from '../../core/errors.js';
import { decryptCommand, decryptFailureCode } from '../encryption/age-command.js';
import { type RunningTool, spawnTool } from '../pipeline/spawn-tool.js';

export interface Decryptor {
  input: Writable;
  output: Readable;
  tool: RunningTool;
  label: string;
  /** Once age has failed: the code its own words give the failure. */
  failureCode(): ErrorCode;
}

/** age's complaints are one or two short lines: the last few KiB of its stderr are all there is to read. */
const STDERR_KEPT = 4096;

export interface AgeIdentities {
  agePath: string;
  identityFiles: readonly string[];
}

export function startDecryptor(identities: AgeIdentities | undefined): Decryptor {
  const { agePath = '', identityFiles = [] } = identities ?? {};
  if (identityFiles.length === 0) {
    throw new BackupError(
      'DECRYPT_WRONG_IDENTITY',
      'the backup is encrypted and the agent holds no identity to open it: list its identity file in agent.json "identityFiles"',
    );
  }
  const tool = spawnTool(decryptCommand(agePath, identityFiles), { stdin: 'pipe' });
  const { stdin, stdout, stderr } = tool.child;
  if (!stdin || !stdout) throw new Error('age started without pipes');
  let said = '';
  stderr?.on('data', (chunk: Buffer) => {
    said = (said + chunk.toString('utf8')).slice(-STDERR_KEPT);
  });
  return { input: stdin, output: stdout, tool, label: 'age', failureCode: () => decryptFailureCode(said) };
}
