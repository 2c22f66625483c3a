# shellcheck shell=sh
# Installed as /etc/profile.d/db-backup-failures.sh: at an interactive login, shows the backup failures the agent logged
# since this user's last login (marker ~/.db-backup-last-seen). Sourced by sh and bash alike: POSIX only,
# in a subshell so nothing leaks into the login shell, and silent when the log folder cannot be read.
# DB_BACKUP_LOG_DIR overrides the folder; DB_BACKUP_BANNER=always shows it in non-interactive shells too.
(
  dir="${DB_BACKUP_LOG_DIR:-/var/log/db-backup}"
  marker="${HOME:-/nonexistent}/.db-backup-last-seen"
  limit=20
  # Bytes per line printed: a log line is data, and must not fill an admin's screen.
  width=200
  case "$-" in
    *i*) ;;
    *) [ "${DB_BACKUP_BANNER:-}" = always ] || exit 0 ;;
  esac
  [ -d "$dir" ] && [ -r "$dir" ] && [ -x "$dir" ] || exit 0
  # Taken before reading, so a failure logged while this runs is shown at the next login, not lost.
  now="$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)"
  since=""
  [ -f "$marker" ] && since="$(date -u -r "$marker" +%Y-%m-%dT%H:%M:%S.%3NZ)"

  # What reaches the terminal is printable text only: control bytes (C0, DEL, and C1 whether UTF-8 encoded or
  # raw) would let whoever shapes a log line move the cursor, retitle the window or answer back as the admin.
  printable() {
    LC_ALL=C tr -d '\000-\011\013-\037\177' |
      if command -v iconv >/dev/null 2>&1; then iconv -c -f UTF-8 -t UTF-8 2>/dev/null; else LC_ALL=C tr -d '\200-\377'; fi |
      LC_ALL=C sed "s/$(printf '\302')[$(printf '\200-\237')]//g"
  }

  failures="$(
    # Oldest file first, so the lines come out in time order; files untouched since the marker are skipped.
    # ls, not find: only ls sorts by time in POSIX sh, and the names are the agent's own (agent.log, agent.log.1.gz).
    # shellcheck disable=SC2012
    ls -1tr "$dir"/agent.log* 2>/dev/null | while IFS= read -r file; do
      # -nt is not POSIX, but every sh that reads /etc/profile.d has it (dash, bash, busybox ash).
      # shellcheck disable=SC3013
      if [ -n "$since" ] && ! [ "$file" -nt "$marker" ]; then continue; fi
      [ -r "$file" ] && zcat -f -- "$file" 2>/dev/null
    done | awk -v since="$since" '
      function field(name,   found) {
        if (match($0, "\"" name "\":\"([^\"\\\\]|\\\\.)*\"")) {
          found = substr($0, RSTART + length(name) + 4, RLENGTH - length(name) - 5)
          gsub(/\\"/, "\"", found)
          return found
        }
        return "-"
      }
      /"level":"error"/ && /"event":"job\./ {
        time = field("time")
        if (since != "" && time <= since) next
        printf "  %s  %-20s %-22s %s\n", time, field("targetId"), field("errorCode"), field("message")
      }' | cut -b "1-$width" | printable
  )"

  if [ -n "$failures" ]; then
    count="$(printf '%s\n' "$failures" | wc -l | tr -d ' ')"
    printf '\n*** Database backup: %s failure(s) since your last login (log: %s) ***\n' "$count" "$dir"
    [ "$count" -gt "$limit" ] && printf '  (the last %s shown)\n' "$limit"
    printf '%s\n' "$failures" | tail -n "$limit"
    printf '\n'
  fi
  touch -d "$now" -- "$marker" 2>/dev/null || true
)
