# A second alert path that does not depend on Gmail: a log-based metric counting `backup.failed` events and a
# Cloud Monitoring policy that e-mails the admin whenever it moves.

resource "google_logging_metric" "backup_failed" {
  project     = var.project_id
  name        = "${var.name_prefix}-backup-failed"
  description = "Backup failures logged by the backup and verify functions."
  filter = join(" AND ", [
    "resource.type=\"cloud_run_revision\"",
    "(${join(" OR ", [for f in google_cloudfunctions2_function.function : "resource.labels.service_name=\"${f.name}\""])})",
    "jsonPayload.event=\"backup.failed\"",
  ])

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Database backup failures"
  }
}

resource "google_monitoring_notification_channel" "email" {
  for_each = toset(local.monitoring_emails)

  project      = var.project_id
  display_name = "Database backup: ${each.value}"
  type         = "email"
  labels = {
    email_address = each.value
  }
}

resource "google_monitoring_alert_policy" "backup_failed" {
  project               = var.project_id
  display_name          = "Database backup failed"
  combiner              = "OR"
  notification_channels = [for c in google_monitoring_notification_channel.email : c.id]

  conditions {
    display_name = "backup.failed logged"
    condition_threshold {
      filter          = "resource.type=\"cloud_run_revision\" AND metric.type=\"logging.googleapis.com/user/${google_logging_metric.backup_failed.name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "86400s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "A database backup failed. The function's e-mail may not have been sent (it is this alert's reason to exist). Read the run in the Logs Explorer: `jsonPayload.event=\"backup.failed\"`, then the `backup.*` entries with the same run id."
  }
}
