# Names derived from the inputs alone (no resource attributes), so log filters and alerts can use them before
# anything exists, and the tests can evaluate them with terraform console.

locals {
  # One function per entry point, all from one source archive, one configuration and one identity.
  functions = {
    backup    = "Backs up every configured database through the agent."
    verify    = "Watchdog: checks that the last scheduled backups exist and are whole, and settles jobs left running."
    restore   = "Restores a backup into a scratch database through the agent and validates it; scheduled, the weekly drill."
    retention = "Applies the retention classes to existing backups (only ever extends an object's customTime)."
    list      = "Lists the backups with date, size, class, expiry and whether they were verified or drilled (read only)."
    status    = "Each database's health: last attempt, newest good backup against the schedule, last drill, deep check and restore, and the problems (read only)."
    binlogs   = "Ships the closed binary logs of every pointInTime database into the bucket, each checked and attested."
    doctor    = "After a deploy: each agent's signed ping, route to storage and canary upload, and a test alert mail, each failure with its fix."
  }

  # A gen2 function is served by a Cloud Run service of the same name: its logs carry that service_name.
  function_names = { for entry in keys(local.functions) : entry => "${var.name_prefix}-${entry}" }

  # The Cloud Scheduler jobs: the entry point each one calls, with the query it adds. The backup's cron is also
  # BACKUP_SCHEDULE; the deep check is verify reading every byte of the day's backups; binlogs ships the binary logs
  # (it finds nothing to do when no target has pointInTime).
  scheduled_calls = {
    backup       = { function = "backup", query = "", cron = var.backup_schedule }
    verify       = { function = "verify", query = "", cron = var.verify_schedule }
    restore      = { function = "restore", query = "", cron = var.drill_schedule }
    "deep-check" = { function = "verify", query = "?deep=true", cron = var.deep_check_schedule }
    binlogs      = { function = "binlogs", query = "", cron = var.binlog_schedule }
  }
  schedules = { for job, call in local.scheduled_calls : job => call.cron }
  job_names = { for entry in keys(local.schedules) : entry => "${var.name_prefix}-${entry}" }

  # The one source range the agent's port admits: where the functions' traffic to private addresses comes from.
  function_egress_range = var.vpc_egress == "direct" ? var.function_subnet_cidr : var.connector_cidr

  # Named after its range: a new range is a new subnet, made before the old one goes (network.tf).
  function_subnet_name = "${var.name_prefix}-fn-${replace(var.function_subnet_cidr, "/[./]/", "-")}"

  # var.network as a name, a path or a self link (variables-network.tf checks that it is one of project_id's).
  network_pattern = "^(?:(?:https://www\\.googleapis\\.com/compute/(?:v1|beta)/)?projects/(?P<project>[^/]+)/global/networks/)?(?P<name>[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)$"
  network_name    = try(regex(local.network_pattern, var.network).name, var.network)
  network_id      = "projects/${var.project_id}/global/networks/${local.network_name}"

  # Objects the function keeps beside the backups, each in a folder no backup's name can begin with (a database
  # name begins with a letter or a digit): alert markers, and canaries, small uploads that prove the path.
  alert_marker_prefix = "${var.object_prefix}_alerts/"
  canary_prefix       = "${var.object_prefix}_canary/"
}
