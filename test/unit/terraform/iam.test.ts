// Least privilege: who is granted what, where; nothing broad, nothing public, nothing authoritative.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  allStrings,
  type Block,
  expression,
  loadModule,
  quotedStrings,
  resource,
  type TerraformModule,
} from './hcl.js';

interface Grant {
  readonly type: string;
  readonly name: string;
  /** Role names; a custom role of this module as `custom:<resource name>`. */
  readonly roles: string[];
  /**
   * The member: `sa:<google_service_account name>`, `var.invokers`, `storage-service-agent` (Cloud Storage's own
   * account of the project), or the literal member.
   */
  readonly member: string;
  readonly body: Block;
}

/** Roles that would let the function (or anyone) delete backups or administer the project. */
const TOO_BROAD = [
  'roles/owner',
  'roles/editor',
  'roles/storage.admin',
  'roles/storage.objectAdmin',
  'roles/storage.objectUser',
  'roles/storage.legacyBucketOwner',
  'roles/storage.legacyBucketWriter',
  'roles/iam.serviceAccountUser',
  'roles/secretmanager.admin',
  'roles/run.admin',
  'roles/cloudfunctions.admin',
];

const STORAGE_AGENT = 'storage-service-agent';

let mod: TerraformModule;
let grants: Grant[];

function rolesOf(body: Block): string[] {
  const role = body.role;
  const custom = /^google_project_iam_custom_role\.(\w+)(?:\[0\])?\.(name|id)$/.exec(
    expression(role) ?? '',
  )?.[1];
  if (custom) return [`custom:${custom}`];
  if (expression(role) === 'each.value') return quotedStrings(expression(body.for_each) ?? '');
  if (typeof role === 'string' && expression(role) === undefined) return [role];
  throw new Error(`cannot tell the role of ${JSON.stringify(body)}`);
}

function memberOf(body: Block): string {
  const text = expression(body.member);
  if (text === undefined) return String(body.member);
  const account = /^google_service_account\.(\w+)\.(member|email)$/.exec(text)?.[1];
  if (account) return `sa:${account}`;
  if (text === 'each.value.member' && expression(body.for_each)?.includes('var.invokers'))
    return 'var.invokers';
  if (text === 'data.google_storage_project_service_account.gcs[0].member') return STORAGE_AGENT;
  throw new Error(`cannot tell the member of ${JSON.stringify(body)}`);
}

beforeAll(async () => {
  mod = await loadModule();
  grants = Object.entries(mod.resources)
    .filter(([type]) => type.endsWith('_iam_member'))
    .flatMap(([type, byName]) =>
      Object.entries(byName).map(([name, body]) => ({
        type,
        name,
        roles: rolesOf(body),
        member: memberOf(body),
        body,
      })),
    );
});

const grantsTo = (member: string) => grants.filter((grant) => grant.member === member);

/** The opt-in that alone may bring storage.objects.delete, and the count that makes a resource depend on it. */
const OPT_IN = 'allow_force_overwrite';
const OPT_IN_COUNT = `var.${OPT_IN} ? 1 : 0`;

/** Every resource of the module as `type.name` with its body. */
const allResources = () =>
  Object.entries(mod.resources).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, body]) => ({ address: `${type}.${name}`, body })),
  );

/** Whether a resource exists with the module's defaults: only a count on the opt-in removes it. */
const existsByDefault = (body: Block) => expression(body.count) !== OPT_IN_COUNT;

describe('IAM', () => {
  it('only adds members; never replaces a resource policy (*_iam_binding, *_iam_policy)', () => {
    const authoritative = Object.keys(mod.resources).filter((type) => /_iam_(binding|policy)$/.test(type));
    expect(authoritative).toEqual([]);
    expect(grants.length).toBeGreaterThan(0);
  });

  it('grants no broad role anywhere in the module', () => {
    const strings = Object.values(mod.resources).flatMap((byName) => allStrings(byName));
    const roles = strings.flatMap((text) => text.match(/roles\/[\w.]+/g) ?? []);
    expect(roles.filter((role) => TOO_BROAD.includes(role))).toEqual([]);
    expect(grants.flatMap((grant) => grant.roles).filter((role) => TOO_BROAD.includes(role))).toEqual([]);
  });

  it('grants nothing to allUsers or allAuthenticatedUsers, and refuses them as on-demand invokers', () => {
    const members = Object.values(mod.resources).flatMap((byName) =>
      Object.values(byName).flatMap((body) => allStrings(body.member ?? [])),
    );
    expect(members.filter((member) => /allUsers|allAuthenticatedUsers/.test(member))).toEqual([]);
    expect(
      grants
        .map((grant) => grant.member)
        .every((m) => m.startsWith('sa:') || m === 'var.invokers' || m === STORAGE_AGENT),
    ).toBe(true);
    const validation = JSON.stringify(mod.variables.invokers?.validation);
    expect(validation).toContain('^(user|group|serviceAccount|domain):');
  });
});

describe('Cloud Storage’s service agent', () => {
  it('may encrypt and decrypt with the bucket’s customer-managed key alone, and only when one is given', () => {
    const mine = grantsTo(STORAGE_AGENT);
    expect(mine.map((grant) => `${grant.type}:${grant.roles.join(',')}`)).toEqual([
      'google_kms_crypto_key_iam_member:roles/cloudkms.cryptoKeyEncrypterDecrypter',
    ]);
    expect(expression(mine[0]?.body.crypto_key_id)).toBe('var.kms_key_name');
    expect(expression(mine[0]?.body.count)).toBe('var.kms_key_name == null ? 0 : 1');
  });
});

describe('the function service account', () => {
  it('creates, reads, lists and patches objects, and cannot delete them', () => {
    const role = resource(mod, 'google_project_iam_custom_role', 'backup_writer');
    expect([...(role.permissions as string[])].sort()).toEqual([
      'storage.objects.create',
      'storage.objects.get',
      'storage.objects.list',
      'storage.objects.update',
    ]);
  });

  it('holds its roles on the backup bucket, its own secrets and its own account only', () => {
    const mine = grantsTo('sa:function');
    expect(mine.map((grant) => `${grant.type}:${grant.roles.join(',')}`).sort()).toEqual([
      'google_secret_manager_secret_iam_member:roles/secretmanager.secretAccessor',
      'google_service_account_iam_member:roles/iam.serviceAccountTokenCreator',
      'google_storage_bucket_iam_member:custom:backup_overwriter',
      'google_storage_bucket_iam_member:custom:backup_writer',
    ]);
    const onBucket = mine.filter((grant) => grant.type === 'google_storage_bucket_iam_member');
    expect(onBucket.map((grant) => expression(grant.body.bucket))).toEqual([
      'google_storage_bucket.backups.name',
      'google_storage_bucket.backups.name',
    ]);
    const onSecret = mine.find((grant) => grant.type === 'google_secret_manager_secret_iam_member');
    expect(expression(onSecret?.body.for_each)).toBe('google_secret_manager_secret.function');
    expect(expression(onSecret?.body.secret_id)).toBe('each.value.secret_id');
  });

  it('signs restore URLs through IAM as itself: token creator on its own account, nowhere else', () => {
    const tokenCreators = grants.filter((grant) =>
      grant.roles.includes('roles/iam.serviceAccountTokenCreator'),
    );
    expect(tokenCreators.map((grant) => `${grant.type}.${grant.name}`)).toEqual([
      'google_service_account_iam_member.function_signs_as_itself',
    ]);
    expect(tokenCreators[0]?.member).toBe('sa:function');
    expect(expression(tokenCreators[0]?.body.service_account_id)).toBe(
      'google_service_account.function.name',
    );
  });

  it('is the only identity with a grant on the backup bucket; the build reads function sources only', () => {
    const storage = grants.filter(
      (grant) =>
        grant.type.startsWith('google_storage_') || grant.roles.some((role) => role.includes('storage')),
    );
    const onBackups = storage.filter(
      (grant) => expression(grant.body.bucket) === 'google_storage_bucket.backups.name',
    );
    expect([...new Set(onBackups.map((grant) => grant.member))]).toEqual(['sa:function']);
    const others = storage.filter((grant) => !onBackups.includes(grant));
    expect(others.map((grant) => `${grant.member} ${grant.type} ${grant.roles.join(',')}`).sort()).toEqual([
      'sa:build google_project_iam_member roles/storage.objectViewer',
      'sa:build google_storage_bucket_iam_member roles/storage.objectViewer',
    ]);
    const sourceBucket = others.find((grant) => grant.type === 'google_storage_bucket_iam_member');
    expect(expression(sourceBucket?.body.bucket)).toBe('google_storage_bucket.function_source.name');
    // On the project, only with a condition naming Cloud Functions' staging buckets.
    const staged = others.find((grant) => grant.type === 'google_project_iam_member');
    const condition = (staged?.body.condition as Record<string, unknown>[] | undefined)?.[0];
    expect(condition?.expression).toBe('resource.name.startsWith("projects/_/buckets/gcf-v2-sources-")');
  });
});

describe('the build service account', () => {
  it('holds what a gen2 build needs: log writer, Artifact Registry writer, read access to the source', () => {
    const mine = grantsTo('sa:build');
    expect(mine.flatMap((grant) => grant.roles).sort()).toEqual([
      'roles/artifactregistry.writer',
      'roles/logging.logWriter',
      'roles/storage.objectViewer',
      'roles/storage.objectViewer',
    ]);
  });
});

describe('the wait for grants to take effect', () => {
  it('holds the functions back until every grant their build and start need has had two minutes', () => {
    const fn = resource(mod, 'google_cloudfunctions2_function', 'function');
    expect((fn.depends_on as string[]).map((ref) => expression(ref))).toEqual(['time_sleep.grants_applied']);
    const wait = resource(mod, 'time_sleep', 'grants_applied');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an HCL interpolation, compared as written.
    expect(wait.create_duration).toBe('${var.iam_propagation_seconds}s');
    expect(mod.variables.iam_propagation_seconds?.default).toBeGreaterThanOrEqual(120);
    // Every grant of the build account, and the function's own that its revisions use, are waited for.
    const waitedFor = JSON.stringify(wait.triggers);
    const needed = [
      ...grantsTo('sa:build'),
      ...grantsTo('sa:function').filter((grant) => grant.body.count === undefined),
    ];
    expect(needed.length).toBeGreaterThanOrEqual(6);
    for (const grant of needed)
      expect(waitedFor, `${grant.type}.${grant.name}`).toContain(`${grant.type}.${grant.name}`);
  });
});

describe('deleting backups (allow_force_overwrite)', () => {
  it('is an opt-in: a typed, described boolean, false by default', () => {
    const variable = mod.variables[OPT_IN];
    expect(expression(variable?.type)).toBe('bool');
    expect(variable?.default).toBe(false);
    const description = String(variable?.description);
    for (const word of ['storage.objects.delete', 'force=true', 'noncurrent version', 'soft delete']) {
      expect(description).toContain(word);
    }
    expect(description).toContain('retention_period_days');
  });

  it('is granted by nothing that exists with the defaults', () => {
    const withDelete = allResources().filter(({ body }) =>
      allStrings(body).some((text) => text.includes('storage.objects.delete')),
    );
    expect(withDelete.map(({ address }) => address)).toEqual([
      'google_project_iam_custom_role.backup_overwriter',
    ]);
    expect(withDelete.filter(({ body }) => existsByDefault(body))).toEqual([]);
    // Every custom role present by default lists its permissions literally, none of them delete.
    const byDefault = Object.entries(mod.resources.google_project_iam_custom_role ?? {}).filter(([, body]) =>
      existsByDefault(body),
    );
    expect(byDefault.map(([name]) => name)).toEqual(['backup_writer']);
    for (const [name, body] of byDefault) {
      expect(Array.isArray(body.permissions), `literal permissions of ${name}`).toBe(true);
      expect(body.permissions, name).not.toContain('storage.objects.delete');
    }
  });

  it('comes, when asked for, alone in a role of its own, bound to the function on the backup bucket only', () => {
    const role = resource(mod, 'google_project_iam_custom_role', 'backup_overwriter');
    expect(expression(role.count)).toBe(OPT_IN_COUNT);
    expect(role.permissions).toEqual(['storage.objects.delete']);
    expect(role.role_id).not.toBe(resource(mod, 'google_project_iam_custom_role', 'backup_writer').role_id);
    const bindings = grants.filter((grant) => grant.roles.includes('custom:backup_overwriter'));
    expect(bindings.map((grant) => `${grant.type}.${grant.name}`)).toEqual([
      'google_storage_bucket_iam_member.function_overwriter',
    ]);
    const [binding] = bindings;
    expect(expression(binding?.body.count)).toBe(OPT_IN_COUNT);
    expect(binding?.member).toBe('sa:function');
    expect(expression(binding?.body.bucket)).toBe('google_storage_bucket.backups.name');
  });
});

describe('the scheduler service account', () => {
  it('may only invoke the scheduled functions, on their Cloud Run services', () => {
    const mine = grantsTo('sa:scheduler');
    expect(mine).toHaveLength(1);
    expect(mine[0]?.type).toBe('google_cloud_run_v2_service_iam_member');
    expect(mine[0]?.roles).toEqual(['roles/run.invoker']);
    expect(expression(mine[0]?.body.for_each)).toBe(
      'toset([for call in values(local.scheduled_calls) : call.function])',
    );
    expect(expression(mine[0]?.body.name)).toBe('google_cloudfunctions2_function.function[each.key].name');
  });
});

describe('the agent VM service account', () => {
  it('writes logs and metrics for the Ops Agent, and has nothing on storage', () => {
    const mine = grantsTo('sa:agent');
    expect(mine.flatMap((grant) => grant.roles).sort()).toEqual([
      'roles/logging.logWriter',
      'roles/monitoring.metricWriter',
    ]);
  });
});

describe('on-demand invokers', () => {
  it('may invoke every function (run, verify, restore, retention, list by hand), and nothing else', () => {
    const theirs = grantsTo('var.invokers');
    expect(theirs).toHaveLength(1);
    expect(theirs[0]?.type).toBe('google_cloud_run_v2_service_iam_member');
    expect(theirs[0]?.roles).toEqual(['roles/run.invoker']);
    expect(expression(theirs[0]?.body.for_each)).toContain('setproduct(keys(local.functions), var.invokers)');
    expect(expression(theirs[0]?.body.name)).toBe(
      'google_cloudfunctions2_function.function[each.value.function].name',
    );
  });
});
