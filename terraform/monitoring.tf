# The second alert path, independent of Gmail: Cloud Monitoring notifies the admin on the log entries that need
# them — the function's own alerting events, a function that cannot start, a scheduled call that failed — by
# e-mail and on the channels the admin made (Slack, webhooks, PagerDuty, Pub/Sub).
#
# Log-match conditions read the log entries themselves. A log-based metric behind a threshold condition would
# need that metric to exist in Cloud Monitoring first, which takes minutes after it is created: the policy's
# first apply fails with a 404 meanwhile. Matching logs has no such wait, and each entry is its own notification
# (its fields in the mail) instead of a count aggregated over an alignment period.

resource "google_monitoring_notification_channel" "email" {
  for_each = toset(local.monitoring_emails)

  project      = var.project_id
  display_name = "Database backup: ${each.value}"
  type         = "email"
  labels = {
    email_address = each.value
  }
}

locals {
  alert_policies = {
    alerting = {
      name = "Database backup needs attention"
      # The notification names the database and the event of the entry that raised it (the README says how often).
      labels = {
        database = "EXTRACT(labels.database)"
        event    = "EXTRACT(jsonPayload.event)"
      }
      rate_limit = "300s"
      text       = "The backup functions logged an event that needs you (a failed, missing, stuck or unusually small backup, a configuration the function refuses, an alert e-mail that could not be sent). The function's own e-mail may not have arrived: this alert exists for that case. Read the entry in the Logs Explorer: `${local.log_filters.alerting}`, then the entries with the same `labels.runId`."
    }
    function_failed = {
      name       = "Database backup function cannot start"
      labels     = { function = "EXTRACT(resource.labels.service_name)" }
      rate_limit = "3600s"
      text       = "A backup function's instance failed to start or was stopped by Cloud Run (startup probe failure, crash at start-up such as a configuration error, memory limit). Until it starts, no backup, verify or restore runs and the function sends no e-mail. Read Cloud Run's entries: `${local.log_filters.function_failed}`, and the function's own entries just before them."
    }
    schedule_failed = {
      name       = "Database backup schedule call failed"
      labels     = { job = "EXTRACT(resource.labels.job_id)" }
      rate_limit = "3600s"
      text       = "Cloud Scheduler could not complete a scheduled call to a backup function (403: the scheduler's account may not invoke it or ingress refused it; 404: wrong URL; DEADLINE_EXCEEDED: no answer within 30 minutes; 5xx: the function failed). When the function did not run, it could not alert by e-mail. Read Cloud Scheduler's entries: `${local.log_filters.schedule_failed}`."
    }
  }
}

resource "google_monitoring_alert_policy" "log" {
  for_each = local.alert_policies

  project               = var.project_id
  display_name          = each.value.name
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = concat([for c in google_monitoring_notification_channel.email : c.id], var.monitoring_notification_channels)

  conditions {
    display_name = each.value.name
    condition_matched_log {
      filter           = local.log_filters[each.key]
      label_extractors = each.value.labels
    }
  }

  alert_strategy {
    # Required for log-match conditions: at most one notification per period for each combination of labels.
    notification_rate_limit {
      period = each.value.rate_limit
    }
    auto_close = "1800s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = each.value.text
  }
}
