// Builds a pinned Go module's commands, downloaded from the Go module proxy, into the cache, once.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runMeasured, tally } from './measure.js';
import { failure, type Provision } from './outcome.js';
import type { GoTool } from './versions.js';

export interface GoEnvironment {
  /** The cache root: GOPATH, the build cache and each tool's folder live under it. */
  root: string;
  logs: string;
  /** The Go that builds (go-toolchain.ts), or why there is none. */
  go: Provision;
}

/** Where a tool's executables go: one folder per release, so a new pin never mixes with the old. */
function toolDir(root: string, tool: GoTool): string {
  return join(root, 'go-tools', `${tool.name}@${tool.release}`);
}

function goEnv(environment: GoEnvironment, tool: GoTool): NodeJS.ProcessEnv {
  const { GOFLAGS: _flags, ...inherited } = process.env;
  return {
    ...inherited,
    GOPATH: join(environment.root, 'go'),
    GOMODCACHE: join(environment.root, 'go', 'pkg', 'mod'),
    GOCACHE: join(environment.root, 'go', 'build-cache'),
    // -modcacherw: the module cache can be deleted like any folder; -trimpath: no build paths in the binaries;
    // -mod=mod: module zips carry no vendor folder's packages, so a vendor/modules.txt left in one is ignored.
    GOFLAGS: '-modcacherw -trimpath -mod=mod',
    CGO_ENABLED: '0',
    // A pinned hash stands in for the checksum database, which has no entry for these pseudo-versions.
    ...(tool.sum ? { GONOSUMDB: tool.module } : {}),
    // The release the tool pins, else the newer of this Go and the one its go.mod asks for, fetched if need be,
    // whatever a `go env -w GOTOOLCHAIN=local` on this machine says.
    GOTOOLCHAIN: tool.toolchain ?? 'auto',
  };
}

/** The commands' paths when this release was built before. */
async function built(dir: string, tool: GoTool): Promise<Record<string, string> | undefined> {
  const stamp = await readFile(join(dir, 'complete.json'), 'utf8').catch(() => undefined);
  if (stamp !== JSON.stringify(tool)) return undefined;
  const paths = Object.fromEntries(Object.values(tool.commands).map((name) => [name, join(dir, name)]));
  return Object.values(paths).every((path) => existsSync(path)) ? paths : undefined;
}

export async function provisionGoTool(environment: GoEnvironment, tool: GoTool): Promise<Provision> {
  const dir = toolDir(environment.root, tool);
  const ready = await built(dir, tool);
  const detail = `${tool.module} ${tool.release} in ${dir}`;
  if (ready) return { state: 'ready', detail, paths: ready };
  if (environment.go.state !== 'ready') return environment.go;
  const go = environment.go.paths?.go ?? 'go';

  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const log = join(environment.logs, `${tool.name}.log`);
  await rm(log, { force: true });
  await rm(`${log}.time`, { force: true });
  const figures = tally();
  const step = (args: string[], cwd?: string) =>
    runMeasured(go, args, { env: goEnv(environment, tool), log, cwd }).then(figures.add);
  const failed = (what: string, tail: string): Provision =>
    failure(`${what} (log: ${log})`, tail, 'npm test again where the Go module proxy can be reached');

  const downloaded = await step(['mod', 'download', '-json', `${tool.module}@${tool.version}`]);
  if (!downloaded.ok) return failed(`go mod download ${tool.module}@${tool.version} failed`, downloaded.tail);
  // Already in the module cache: asked again only to read the answer, which the log holds among other lines.
  const info = JSON.parse(
    spawnSync(go, ['mod', 'download', '-json', `${tool.module}@${tool.version}`], {
      env: goEnv(environment, tool),
      encoding: 'utf8',
    }).stdout,
  ) as { Dir: string; Sum: string };
  if (tool.sum && info.Sum !== tool.sum)
    return failed(`${tool.module}@${tool.version} has hash ${info.Sum}, not the pinned ${tool.sum}`, '');

  // Built inside the downloaded module, as its own main module: its go.sum decides the dependencies, exactly as
  // `go install module@version` would, without the version-list query `go install` makes for deprecation
  // notices, which the proxy refuses for modules without semver tags. A module that needs generated files or
  // nested modules is built from a copy, so the module cache stays as downloaded.
  let source = info.Dir;
  if (tool.generated || tool.nested) {
    source = join(environment.root, 'go', 'sources', `${tool.name}@${tool.release}`);
    await rm(source, { recursive: true, force: true });
    await cp(info.Dir, source, { recursive: true });
    for (const [file, content] of Object.entries(tool.generated ?? {}))
      await writeFile(join(source, file), `${content}\n`);
    if (tool.nested) {
      const { version, modules } = tool.nested;
      const edits = modules.flatMap((path) => [`-dropreplace=${path}`, `-require=${path}@${version}`]);
      const edited = await step(['mod', 'edit', ...edits], source);
      if (!edited.ok) return failed(`go mod edit in ${source} failed`, edited.tail);
    }
  }
  const paths: Record<string, string> = {};
  for (const [pkg, name] of Object.entries(tool.commands)) {
    const relative = `.${pkg.slice(tool.module.length)}`;
    const ldflags = tool.ldflags ? [`-ldflags=${tool.ldflags}`] : [];
    const output = join(dir, name);
    const compiled = await step(['build', '-o', output, ...ldflags, relative], source);
    if (!compiled.ok) return failed(`go build ${pkg}@${tool.version} failed`, compiled.tail);
    paths[name] = output;
  }
  await writeFile(join(dir, 'complete.json'), JSON.stringify(tool));
  return { state: 'ready', detail, paths, built: figures.figures() };
}
