#!/usr/bin/env bash
# Installs or upgrades the database backup agent on a database VM from its unpacked release (npm run
# package:agent); safe to run again (it never overwrites agent.json, secrets or the agent's key). As root, in the
# release's folder:
#   sudo ./install.sh --key-only          the agent's own key only (openssl), its public half printed
#   sudo ./install.sh <engine>…           everything: mysql, postgres, mongodb or sqlite, the engines of this VM
set -euo pipefail

RELEASE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PREFIX="${PREFIX:-/opt/db-backup-agent}"
CONFIG_DIR=/etc/db-backup
STATE_DIR=/var/lib/db-backup
LOG_DIR=/var/log/db-backup
SERVICE_USER=db-backup
# Members of adm read system logs on Debian: they see the agent's log and its login banner.
LOG_GROUP=adm
UNIT=db-backup-agent.service
# The Node.js the unit runs (ExecStart): 20 or later.
NODE=/usr/bin/node
RESPONSE_KEY="$CONFIG_DIR/keys/agent-response.key"
# root's alone: the unit hands the agent a copy (LoadCredential=), under /run/credentials/db-backup-agent.service/.
AGE_IDENTITY="$CONFIG_DIR/keys/age-identity"

die() { echo "install.sh: $*" >&2; exit 1; }

[[ $EUID -eq 0 ]] || die "run as root (sudo)"

key_only=no
engines=()
for arg in "$@"; do
  case "$arg" in
    --key-only) key_only=yes ;;
    mysql | mariadb | postgres | mongodb | sqlite) engines+=("$arg") ;;
    *) die "unknown argument $arg: give --key-only, or this VM's engines (mysql, postgres, mongodb, sqlite)" ;;
  esac
done

make_user_and_key() {
  if ! getent passwd "$SERVICE_USER" >/dev/null; then
    useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin \
      --comment "database backup agent" "$SERVICE_USER"
  fi
  install -d -m 0750 -o root -g "$SERVICE_USER" "$CONFIG_DIR" "$CONFIG_DIR/keys"
  # The agent's own key, which signs its answers; the function holds its public half (Terraform's agents[]).
  if [[ ! -e "$RESPONSE_KEY" ]]; then
    command -v openssl >/dev/null || die "openssl is needed to create $RESPONSE_KEY (apt-get install openssl)"
    (umask 077 && openssl genpkey -algorithm ed25519 -out "$RESPONSE_KEY")
    chown "$SERVICE_USER:$SERVICE_USER" "$RESPONSE_KEY"
  fi
  echo "This agent's answer key, Terraform's agents[].public_key_pem for this VM:"
  openssl pkey -in "$RESPONSE_KEY" -pubout
  # The agent's age identity, which opens encrypted backups on a restore or a drill (agent.json identityFiles).
  if [[ ! -e "$AGE_IDENTITY" ]]; then
    command -v age-keygen >/dev/null || die "age-keygen is needed to create $AGE_IDENTITY (apt-get install age)"
    (umask 077 && age-keygen -o "$AGE_IDENTITY" 2>/dev/null)
  fi
  echo "This agent's age recipient, for agent.json's recipients beside the admin's offline key's:"
  age-keygen -y "$AGE_IDENTITY"
}

if [[ $key_only == yes ]]; then
  make_user_and_key
  exit 0
fi

# --- The checks, and the packages, before any of the agent's own files change ---

[[ -f "$RELEASE_DIR/main.mjs" && -d "$RELEASE_DIR/node_modules" ]] ||
  die "run the install.sh of an unpacked release (npm run package:agent), next to its main.mjs"
(( ${#engines[@]} > 0 )) || die "name this VM's engines: sudo ./install.sh mysql (or postgres, mongodb, sqlite; several if need be)"
[[ "$(uname -m)" == x86_64 ]] || die "the release is built for x86-64 Linux; this is $(uname -m)"
libc="$(ldd --version 2>&1 || true)"
grep -qiE 'glibc|gnu libc' <<<"$libc" || die "the release's native CRC32C needs glibc (Debian, Ubuntu), not musl"
[[ -x "$NODE" ]] || die "no $NODE: install Node.js 20 or later (Debian 13: apt-get install nodejs; Debian 12 and Ubuntu: NodeSource's nodejs package; see the README)"
node_major="$("$NODE" -p 'process.versions.node.split(".")[0]')"
(( node_major >= 20 )) || die "$NODE is Node.js $node_major: 20 or later is needed (see the README)"

# Debian packages by the command the agent runs: pv, pigz, zstd, stdbuf and age on every VM, each engine's dump and restore
# tools. MongoDB's tools and shell are not in Debian: they come from MongoDB's own repository (see the README).
declare -A package_of=(
  [pv]=pv [pigz]=pigz [zstd]=zstd [stdbuf]=coreutils [age]=age [age-keygen]=age
  [mysqldump]=default-mysql-client [mysql]=default-mysql-client [mariadb-binlog]=default-mysql-client
  [pg_dump]=postgresql-client [psql]=postgresql-client
  [sqlite3]=sqlite3
)
commands=(pv pigz zstd stdbuf age age-keygen)
for engine in "${engines[@]}"; do
  case "$engine" in
    # mariadb-binlog ships the server's closed binary logs (point-in-time recovery); MariaDB's client package has it.
    mysql | mariadb) commands+=(mysqldump mysql mariadb-binlog) ;;
    postgres) commands+=(pg_dump psql) ;;
    sqlite) commands+=(sqlite3) ;;
    mongodb)
      for tool in mongodump mongorestore mongosh; do
        command -v "$tool" >/dev/null ||
          die "$tool is missing: install mongodb-database-tools and mongodb-mongosh from MongoDB's apt repository (repo.mongodb.org; see the README), then run this again"
      done
      ;;
  esac
done
missing=()
for tool in "${commands[@]}"; do
  command -v "$tool" >/dev/null || missing+=("${package_of[$tool]}")
done
if (( ${#missing[@]} > 0 )); then
  mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "Installing ${packages[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"; } ||
    die "apt-get could not install ${packages[*]}: the VM needs a way to its Debian mirror (an external address, or Cloud NAT: Terraform's database_cloud_nat)"
fi

# The native CRC32C must load here: the agent refuses to start without it.
"$NODE" -e 'require(process.argv[1]).crc32c(Buffer.from("x"))' "$RELEASE_DIR/node_modules/@node-rs/crc32" ||
  die "the native CRC32C of the release does not load with $NODE on this VM"

# --- The install ---

make_user_and_key
getent group "$LOG_GROUP" >/dev/null || groupadd --system "$LOG_GROUP"
install -d -m 0750 -o "$SERVICE_USER" -g "$SERVICE_USER" "$STATE_DIR"
# setgid: files the agent creates here belong to the log group, which may read but not write them.
install -d -m 2750 -o "$SERVICE_USER" -g "$LOG_GROUP" "$LOG_DIR"
# Password files: 0600 and owned by the agent's user, or the agent refuses them.
install -d -m 0700 -o "$SERVICE_USER" -g "$SERVICE_USER" "$CONFIG_DIR/secrets"

# The new release is staged beside the old one and swapped in, so a failed copy leaves the old agent whole.
install -d -m 0755 "$PREFIX"
staging="$(mktemp -d "$PREFIX/.staging.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
cp -R "$RELEASE_DIR/main.mjs" "$RELEASE_DIR/node_modules" "$RELEASE_DIR/package.json" "$RELEASE_DIR/licenses" "$staging/"
chmod -R u=rwX,go=rX "$staging"
rm -rf "$PREFIX/main.mjs" "$PREFIX/node_modules" "$PREFIX/package.json" "$PREFIX/licenses"
mv "$staging/main.mjs" "$staging/node_modules" "$staging/package.json" "$staging/licenses" "$PREFIX/"

install -m 0644 "$RELEASE_DIR/$UNIT" "/etc/systemd/system/$UNIT"
install -m 0644 "$RELEASE_DIR/db-backup-agent.logrotate" /etc/logrotate.d/db-backup-agent
install -m 0644 "$RELEASE_DIR/db-backup-login-banner.sh" /etc/profile.d/db-backup-failures.sh
# rsyslog files the agent's journal lines under /var/log; without rsyslog they stay in the journal.
if [[ -d /etc/rsyslog.d ]]; then
  install -m 0644 "$RELEASE_DIR/db-backup-agent.rsyslog.conf" /etc/rsyslog.d/30-db-backup-agent.conf
  systemctl try-restart rsyslog.service
fi

systemctl daemon-reload
systemctl enable "$UNIT" >/dev/null
# shellcheck disable=SC2016 # JavaScript's template literal, not the shell's.
version="$("$NODE" -p 'const p = require(process.argv[1]); `${p.version} ${p.commit ?? ""}`' "$PREFIX/package.json")"
if [[ ! -e "$CONFIG_DIR/agent.json" ]]; then
  echo "Installed db-backup-agent $version. Write $CONFIG_DIR/agent.json (0640 root:$SERVICE_USER; the examples are beside"
  echo "this script), put each password in a 0600 file under $CONFIG_DIR/secrets owned by $SERVICE_USER, check it with"
  echo "  sudo -u $SERVICE_USER $NODE $PREFIX/main.mjs --config $CONFIG_DIR/agent.json --check-config"
  echo "then: systemctl start $UNIT"
else
  runuser -u "$SERVICE_USER" -- "$NODE" "$PREFIX/main.mjs" --config "$CONFIG_DIR/agent.json" --check-config \
    >/dev/null || die "$CONFIG_DIR/agent.json is invalid (see above): fix it, then systemctl restart $UNIT"
  systemctl restart "$UNIT"
  echo "Installed db-backup-agent $version and restarted $UNIT."
fi
