# The function's settings that follow from the inputs alone, as the environment variables it reads.
# main.tf adds the two that name resources (the bucket, the scheduler's service account).

locals {
  # optional() attributes arrive as null; they are left out of the JSON rather than sent as null.
  targets = [
    for t in var.targets : merge(
      { id = t.id, database = t.database, engine = t.engine, agentUrl = t.agentUrl, encryption = t.encryption },
      # The function's default is false: only an opted-in target says so.
      t.pointInTime ? { pointInTime = true } : {},
      [
        for c in [t.compression] : {
          compression = merge({ algorithm = c.algorithm }, [for l in [c.level] : { level = l } if l != null]...)
        } if c != null
      ]...
    )
  ]

  agents = [
    for a in var.agents : merge(
      { url = a.url, publicKey = a.public_key_pem },
      a.tls_ca_cert_pem == null ? {} : { tlsCaCert = a.tls_ca_cert_pem },
      a.tls_cert_sha256 == null ? {} : { tlsCertSha256 = lower(replace(a.tls_cert_sha256, ":", "")) },
    )
  ]

  function_settings = {
    GOOGLE_CLOUD_PROJECT            = var.project_id
    BACKUP_PREFIX                   = var.object_prefix
    BACKUP_TIME_ZONE                = var.time_zone
    BACKUP_SCHEDULE                 = var.backup_schedule
    BACKUP_DRILL_SCHEDULE           = var.drill_schedule
    BACKUP_DEEP_CHECK_SCHEDULE      = var.deep_check_schedule
    BACKUP_BINLOG_SCHEDULE          = var.binlog_schedule
    BACKUP_RPO_MINUTES              = tostring(var.rpo_minutes)
    BACKUP_TARGETS                  = jsonencode(local.targets)
    BACKUP_AGENTS                   = jsonencode(local.agents)
    BACKUP_ON_ERROR                 = var.on_error
    BACKUP_CONCURRENCY              = tostring(var.concurrency)
    BACKUP_POLL_BUDGET_SECONDS      = tostring(var.poll_budget_seconds)
    BACKUP_SIGNING_KEY_ID           = var.signing_key_id
    BACKUP_RETIRED_SIGNING_KEYS     = jsonencode(var.retired_signing_public_keys)
    BACKUP_RETENTION_DAILY_DAYS     = tostring(var.retention_daily_days)
    BACKUP_RETENTION_WEEKLY_WEEKS   = tostring(var.retention_weekly_weeks)
    BACKUP_RETENTION_MONTHLY_MONTHS = tostring(var.retention_monthly_months)
    BACKUP_RETENTION_YEARLY_YEARS   = tostring(var.retention_yearly_years)
    BACKUP_SHRINK_WARNING_RATIO     = tostring(var.shrink_warning_ratio)
    BACKUP_RESTORE_URL_MINUTES      = tostring(var.restore_url_minutes)
    ALERT_RECIPIENTS                = join(",", var.alert_recipients)
    ALERT_SENDER                    = var.alert_sender
    GMAIL_AUTH                      = var.gmail_auth
  }
}
