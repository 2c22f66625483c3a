#!/usr/bin/env bash
# Installs or upgrades the database backup agent on a database VM; safe to run again (it never overwrites
# agent.json or secrets). Run as root from the repository after `npm run build`: sudo agent/deploy/install.sh
set -euo pipefail

SOURCE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEPLOY_DIR="$SOURCE_DIR/agent/deploy"
PREFIX="${PREFIX:-/opt/db-backup-agent}"
CONFIG_DIR=/etc/db-backup
STATE_DIR=/var/lib/db-backup
LOG_DIR=/var/log/db-backup
SERVICE_USER=db-backup
# Members of adm read system logs on Debian: they see the agent's log and its login banner.
LOG_GROUP=adm
UNIT=db-backup-agent.service

die() { echo "install.sh: $*" >&2; exit 1; }

[[ $EUID -eq 0 ]] || die "run as root (sudo)"
[[ -f "$SOURCE_DIR/dist/agent/main.js" ]] || die "no $SOURCE_DIR/dist/agent/main.js: run 'npm run build' first"
command -v node >/dev/null || die "node (20 or later) is not installed"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
(( node_major >= 20 )) || die "node $node_major is too old: 20 or later is needed"
command -v npm >/dev/null || die "npm is needed to install the agent's dependencies"
getent group "$LOG_GROUP" >/dev/null || groupadd --system "$LOG_GROUP"

if ! getent passwd "$SERVICE_USER" >/dev/null; then
  useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin \
    --comment "database backup agent" "$SERVICE_USER"
fi

install -d -m 0750 -o "$SERVICE_USER" -g "$SERVICE_USER" "$STATE_DIR"
# setgid: files the agent creates here belong to the log group, which may read but not write them.
install -d -m 2750 -o "$SERVICE_USER" -g "$LOG_GROUP" "$LOG_DIR"
install -d -m 0750 -o root -g "$SERVICE_USER" "$CONFIG_DIR" "$CONFIG_DIR/keys"
# Password files: 0600 and owned by the agent's user, or the agent refuses them.
install -d -m 0700 -o "$SERVICE_USER" -g "$SERVICE_USER" "$CONFIG_DIR/secrets"

# The new build is staged beside the old one and swapped in, so a failed copy leaves the old agent whole.
install -d -m 0755 "$PREFIX"
staging="$(mktemp -d "$PREFIX/.staging.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
cp -R "$SOURCE_DIR/dist" "$SOURCE_DIR/package.json" "$SOURCE_DIR/package-lock.json" "$staging/"
(cd "$staging" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
chmod -R u=rwX,go=rX "$staging"
rm -rf "$PREFIX/dist" "$PREFIX/node_modules"
mv "$staging/dist" "$staging/node_modules" "$staging/package.json" "$staging/package-lock.json" "$PREFIX/"

# The agent's own key, which signs its answers; the function holds its public half (BACKUP_AGENTS).
RESPONSE_KEY="$CONFIG_DIR/keys/agent-response.key"
if [[ ! -e "$RESPONSE_KEY" ]]; then
  command -v openssl >/dev/null || die "openssl is needed to create $RESPONSE_KEY"
  (umask 077 && openssl genpkey -algorithm ed25519 -out "$RESPONSE_KEY")
  chown "$SERVICE_USER:$SERVICE_USER" "$RESPONSE_KEY"
fi

new_config=no
if [[ ! -e "$CONFIG_DIR/agent.json" ]]; then
  install -m 0640 -o root -g "$SERVICE_USER" "$DEPLOY_DIR/agent.example.json" "$CONFIG_DIR/agent.json"
  new_config=yes
fi

install -m 0644 "$DEPLOY_DIR/$UNIT" "/etc/systemd/system/$UNIT"
install -m 0644 "$DEPLOY_DIR/db-backup-agent.logrotate" /etc/logrotate.d/db-backup-agent
install -m 0644 "$DEPLOY_DIR/db-backup-login-banner.sh" /etc/profile.d/db-backup-failures.sh
# rsyslog files the agent's journal lines under /var/log; without rsyslog they stay in the journal.
if [[ -d /etc/rsyslog.d ]]; then
  install -m 0644 "$DEPLOY_DIR/db-backup-agent.rsyslog.conf" /etc/rsyslog.d/30-db-backup-agent.conf
  systemctl try-restart rsyslog.service
fi

systemctl daemon-reload
systemctl enable "$UNIT" >/dev/null
echo "The function must hold this agent's answer key: Terraform's agents[].public_key_pem (BACKUP_AGENTS publicKey):"
openssl pkey -in "$RESPONSE_KEY" -pubout
if [[ $new_config == yes ]]; then
  echo "Installed. Edit $CONFIG_DIR/agent.json (listen.host, publicUrl, trustedKeys, uploads.buckets, targets), put each password in a"
  echo "0600 file under $CONFIG_DIR/secrets owned by $SERVICE_USER, check it with"
  echo "  sudo -u $SERVICE_USER node $PREFIX/dist/agent/main.js --config $CONFIG_DIR/agent.json --check-config"
  echo "then: systemctl start $UNIT"
else
  runuser -u "$SERVICE_USER" -- node "$PREFIX/dist/agent/main.js" --config "$CONFIG_DIR/agent.json" --check-config \
    >/dev/null || die "$CONFIG_DIR/agent.json is invalid (see above): fix it, then systemctl restart $UNIT"
  systemctl restart "$UNIT"
  echo "Upgraded and restarted $UNIT."
fi
