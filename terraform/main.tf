# Names and the function's configuration, shared by the resources in the other files.

locals {
  # The two functions share one configuration and one identity; only the entry point differs.
  functions = {
    backup = "Backs up every configured database through the agent."
    verify = "Watchdog: checks that today's backups exist and are whole, and settles jobs left running."
  }

  # optional() attributes arrive as null; they are left out of the JSON rather than sent as null.
  targets = [
    for t in var.targets : merge(
      { id = t.id, database = t.database, engine = t.engine, agentUrl = t.agentUrl },
      [
        for c in [t.compression] : {
          compression = merge({ algorithm = c.algorithm }, [for l in [c.level] : { level = l } if l != null]...)
        } if c != null
      ]...
    )
  ]

  # Every name here is one of FUNCTION_ENV in functions/config/env-names.ts; test/unit/terraform holds them equal.
  function_environment = {
    GOOGLE_CLOUD_PROJECT       = var.project_id
    BACKUP_BUCKET              = google_storage_bucket.backups.name
    BACKUP_PREFIX              = var.object_prefix
    BACKUP_TIME_ZONE           = coalesce(var.object_time_zone, var.schedule_time_zone)
    BACKUP_TARGETS             = jsonencode(local.targets)
    BACKUP_ON_ERROR            = var.on_error
    BACKUP_CONCURRENCY         = tostring(var.concurrency)
    BACKUP_POLL_BUDGET_SECONDS = tostring(var.poll_budget_seconds)
    BACKUP_JOB_TIMEOUT_MINUTES = tostring(var.job_timeout_minutes)
    BACKUP_SIGNING_KEY_ID      = var.signing_key_id
    ALERT_RECIPIENTS           = join(",", var.alert_recipients)
    ALERT_SENDER               = var.alert_sender
    GMAIL_AUTH                 = var.gmail_auth
  }

  # Environment variable => Secret Manager secret (suffix of its id); the values never pass through Terraform.
  function_secrets = {
    BACKUP_SIGNING_KEY = "signing-key"
    GMAIL_CREDENTIALS  = "gmail-credentials"
  }

  monitoring_emails = coalesce(var.monitoring_emails, var.alert_recipients)
}
