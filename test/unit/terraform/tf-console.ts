// Evaluates expressions of the module with the terraform binary (terraform console needs no provider): the
// variables with their validations and the locals that follow from them alone, over valid required inputs.
import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { EMPTY_ZIP } from '../../helpers/empty-zip.js';
import { provisionedPath, unavailable } from '../../helpers/provisioned.js';
import { moduleDir } from './hcl.js';

/** Whether provisioning found or built terraform (where not, `unavailable` has said why). */
export const hasTerraform = unavailable('terraform') === undefined;

export const terraformBinary = (): string => provisionedPath('terraform', 'terraform');

/** The files that declare no resource: every input and the locals computed from inputs only. */
export const PURE_FILES = /^(variables(-[a-z]+)?|names|settings|rules|log-filters|time-zones|cron)\.tf$/;

export const PUBLIC_KEY =
  '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n';

/** Valid values for every required input, as HCL. */
const REQUIRED: Readonly<Record<string, string>> = {
  project_id: '"my-project-1"',
  region: '"europe-west1"',
  bucket_name: '"my-project-1-db-backups"',
  // Written into the console's folder by openConsole: the input must name a file that can be read.
  function_source_zip: '"function-source.zip"',
  signing_key_id: '"backup-2025-01"',
  signing_public_key_pem: JSON.stringify(PUBLIC_KEY),
  alert_recipients: '["admin@example.com"]',
  alert_sender: '"backups@example.com"',
  agents: `[
    { url = "http://10.0.0.5:8443", public_key_pem = ${JSON.stringify(PUBLIC_KEY)} },
    { url = "https://10.0.0.6:8443", public_key_pem = ${JSON.stringify(PUBLIC_KEY)}, tls_cert_sha256 = "${'AB'.repeat(32)}" },
  ]`,
  targets: `[
    { id = "hospital", database = "HospitalDB", engine = "mysql", agentUrl = "http://10.0.0.5:8443" },
    { id = "docs", database = "documents", engine = "mongodb", agentUrl = "http://10.0.0.5:8443",
      compression = { algorithm = "zstd" } },
    { id = "pg", database = "app", engine = "postgres", agentUrl = "https://10.0.0.6:8443",
      compression = { algorithm = "gzip", level = 9 } },
  ]`,
};

export interface Evaluation {
  /** False when an input was refused (a validation failed) or the expression did not evaluate. */
  readonly ok: boolean;
  /** The value as terraform console prints it, or the error text. */
  readonly out: string;
}

export interface Console {
  evaluate(expr: string, inputs?: Record<string, string>): Promise<Evaluation>;
  /** The value of an expression as JSON (through jsonencode), failing on any error. */
  json<T = unknown>(expr: string, inputs?: Record<string, string>): Promise<T>;
  close(): Promise<void>;
}

async function openConsole(): Promise<Console> {
  const dir = await mkdtemp(join(tmpdir(), 'tf-console-'));
  for (const name of (await readdir(moduleDir)).filter((file) => PURE_FILES.test(file))) {
    await copyFile(join(moduleDir, name), join(dir, name));
  }
  await writeFile(join(dir, 'function-source.zip'), EMPTY_ZIP);
  let count = 0;
  const evaluate = async (expr: string, inputs: Record<string, string> = {}): Promise<Evaluation> => {
    const vars = Object.entries({ ...REQUIRED, ...inputs }).map(([name, value]) => `${name} = ${value}`);
    const varFile = join(dir, `inputs-${++count}.tfvars`);
    await writeFile(varFile, vars.join('\n'));
    const result = spawnSync(terraformBinary(), ['console', '-no-color', `-var-file=${varFile}`], {
      cwd: dir,
      input: `${expr}\n`,
      encoding: 'utf8',
      env: {
        ...process.env,
        TF_IN_AUTOMATION: '1',
        CHECKPOINT_DISABLE: '1',
        TF_CLI_CONFIG_FILE: '/dev/null',
      },
    });
    // terraform console reports a failed validation as an error yet exits 0, so the error text decides.
    const ok = result.status === 0 && !result.stderr.includes('Error:');
    return { ok, out: ok ? result.stdout.trim() : result.stderr };
  };
  return {
    evaluate,
    async json<T>(expr: string, inputs: Record<string, string> = {}): Promise<T> {
      const result = await evaluate(`jsonencode(${expr})`, inputs);
      if (!result.ok) throw new Error(`terraform console: ${expr}: ${result.out}`);
      return JSON.parse(JSON.parse(result.out)) as T;
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A console open for the enclosing describe block: call the returned function inside its tests. */
export function useConsole(): () => Console {
  let tf: Console | undefined;
  beforeAll(async () => {
    tf = await openConsole();
  });
  afterAll(async () => {
    await tf?.close();
  });
  return () => {
    if (!tf) throw new Error('the terraform console is open only inside the tests of its describe block');
    return tf;
  };
}
