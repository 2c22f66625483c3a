// What `npm test` builds from the Go module proxy or installs from npm, pinned: changing an entry here rebuilds it into
// a new folder.

export interface GoTool {
  /** The cache folder's name and what the summary calls it. */
  name: string;
  /** Upstream's own release name, for people (mongo-tools and the providers tag releases the proxy cannot name). */
  release: string;
  module: string;
  /** The version as the Go module proxy serves it: a semver tag, or a pseudo-version naming the release's commit. */
  version: string;
  /** Package path → the executable's name (mongo-tools' commands all live in packages named `main`). */
  commands: Record<string, string>;
  ldflags?: string;
  /** Files the project's own build writes before compiling (path in the module → content). */
  generated?: Record<string, string>;
  /** The Go release to build with (GOTOOLCHAIN), fetched from the module proxy, when a newer one cannot build it. */
  toolchain?: string;
  /**
   * Modules nested in the module's repository that its go.mod takes from their folders, which the module's zip
   * leaves out (each folder has a go.mod of its own): required instead from the proxy at `version`, the
   * pseudo-version of the release's own commit, so the same code is built.
   */
  nested?: { version: string; modules: string[] };
  /**
   * The module's `h1:` hash, pinned here for versions the checksum database has no entry for (pseudo-versions of
   * modules whose tags are not semver): the download is checked against it instead.
   */
  sum?: string;
}

/**
 * The Go release fetched from the proxy where only a Go older than 1.21 can be had (Debian 12's is 1.19): from 1.21
 * on, Go fetches the release each module asks for by itself. The one Terraform's build asks for, so it serves both.
 */
export const GO_RELEASE = 'go1.23.3';

export const FAKE_GCS_SERVER: GoTool = {
  name: 'fake-gcs-server',
  release: 'v1.56.1',
  module: 'github.com/fsouza/fake-gcs-server',
  version: 'v1.56.1',
  commands: { 'github.com/fsouza/fake-gcs-server': 'fake-gcs-server' },
};

// The last 1.x release; 2.x needs a patched PostgreSQL extension (DocumentDB) that Debian does not package.
export const FERRETDB: GoTool = {
  name: 'ferretdb',
  release: 'v1.24.2',
  module: 'github.com/FerretDB/FerretDB',
  version: 'v1.24.2',
  commands: { 'github.com/FerretDB/FerretDB/cmd/ferretdb': 'ferretdb' },
  // FerretDB's build (`task gen-version`) writes its version; the binary refuses to start without it.
  generated: { 'build/version/version.txt': 'v1.24.2' },
};

// 100.11.0 is the newest release the proxy serves (100.12.0 and later are refused).
export const MONGO_TOOLS: GoTool = {
  name: 'mongo-tools',
  release: '100.11.0',
  module: 'github.com/mongodb/mongo-tools',
  version: 'v0.0.0-20250131183507-b8a566a7f38f',
  commands: {
    'github.com/mongodb/mongo-tools/mongodump/main': 'mongodump',
    'github.com/mongodb/mongo-tools/mongorestore/main': 'mongorestore',
  },
  ldflags: '-X main.VersionStr=100.11.0 -X main.GitCommit=b8a566a7f38f',
  sum: 'h1:Xbo8OTSAov884rc8pIY/M00S4T4MYi5Dq2JRTeCUIFY=',
};

/** An npm package whose commands the tests run, installed into the cache (test/provision/npm-tools.ts). */
export interface NpmTool {
  /** The cache folder's name and what the summary calls it. */
  name: string;
  package: string;
  /** Exact: the folder's package.json asks for this version and the commands must say they are it. */
  version: string;
  /** The package's executables, as `node_modules/.bin` names them. */
  commands: string[];
}

// The MongoDB shell, which the agent runs for a MongoDB restore's checks and its scratch database's drop.
export const MONGOSH: NpmTool = {
  name: 'mongosh',
  package: 'mongosh',
  version: '2.12.0',
  commands: ['mongosh'],
};

export interface TerraformProvider {
  /** registry.terraform.io/hashicorp/<type> */
  type: string;
  /** The version terraform sees in the mirror. */
  version: string;
  tool: GoTool;
}

function provider(type: string, version: string, goVersion: string, more: Partial<GoTool> = {}) {
  const module = `github.com/hashicorp/terraform-provider-${type}`;
  return {
    type,
    version,
    tool: {
      name: `terraform-provider-${type}`,
      release: `v${version}`,
      module,
      version: goVersion,
      commands: { [module]: `terraform-provider-${type}` },
      ...more,
    },
  } satisfies TerraformProvider;
}

// google: 7.39.0 is the newest 7.x the proxy serves (7.40.0 to 7.45.0 are refused). Its tags are v7 on a module
// path without /v7, so the proxy names the release by a pseudo-version of its commit.
// time: the module waits with it for IAM grants to take effect; its semver tags are the proxy's versions, checked
// by the checksum database, and its version is not stamped into the binary.
export const TERRAFORM_PROVIDERS: TerraformProvider[] = [
  provider('google', '7.39.0', 'v1.20.1-0.20260630172028-e40b75688dfe', {
    ldflags: '-s -w -X github.com/hashicorp/terraform-provider-google/version.ProviderVersion=7.39.0',
    sum: 'h1:DCiDpuKHR+z8Yemjs++AefSYs8f1GqG9WcKpVMuHvBY=',
  }),
  provider('time', '0.14.2', 'v0.14.2', { ldflags: '-s -w' }),
];

const TERRAFORM_MODULE = 'github.com/hashicorp/terraform';

// Built only where no terraform is installed. Its release was built with Go 1.23.3 (its .go-version), and its go.mod
// names a GODEBUG setting (tlskyber) that later Go releases no longer know and refuse to load; dev=no drops the
// "-dev" a build from source otherwise adds to its version.
export const TERRAFORM: GoTool = {
  name: 'terraform',
  release: 'v1.11.4',
  module: TERRAFORM_MODULE,
  version: 'v1.11.4',
  commands: { [TERRAFORM_MODULE]: 'terraform' },
  ldflags: `-s -w -X ${TERRAFORM_MODULE}/version.dev=no`,
  toolchain: GO_RELEASE,
  nested: {
    version: 'v0.0.0-20250409131005-35645b8fca68',
    modules: [
      'legacy',
      ...['azure', 'consul', 'cos', 'gcs', 'kubernetes', 'oss', 'pg', 's3'].map(
        (name) => `backend/remote-state/${name}`,
      ),
    ].map((path) => `${TERRAFORM_MODULE}/internal/${path}`),
  },
};
