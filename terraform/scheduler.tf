# Cloud Scheduler jobs: the nightly backup, the verify watchdog after it, the weekly restore drill and the weekly
# deep check (verify with deep=true), each calling its function with an OIDC token of the scheduler's own
# service account. The drill is a plain POST to
# `restore`: a call that carries Cloud Scheduler's headers and a token of BACKUP_SCHEDULER_SERVICE_ACCOUNT is a
# scheduled one, which for restore means every target's newest verified backup.

resource "google_cloud_scheduler_job" "function" {
  for_each = local.schedules

  project     = var.project_id
  region      = var.region
  name        = local.job_names[each.key]
  description = "Calls the ${local.scheduled_calls[each.key].function} function${local.scheduled_calls[each.key].query}."
  schedule    = each.value
  # The backup's cron is BACKUP_SCHEDULE too, read by the function in this same zone (BACKUP_TIME_ZONE).
  time_zone = var.time_zone

  # The longest Cloud Scheduler waits for an HTTP target; the function answers within its poll budget.
  attempt_deadline = "1800s"

  # Retrying is safe: the backup never overwrites an object that a previous attempt already wrote, and the
  # function alerts once per scheduled execution across its attempts.
  retry_config {
    retry_count          = var.scheduler_retry_count
    min_backoff_duration = "60s"
    max_backoff_duration = "600s"
    max_doublings        = 2
  }

  # The Cloud Run service's own URL (with the job's query), and that service URL as the token's audience, which
  # Cloud Run checks.
  http_target {
    http_method = "POST"
    uri         = "${google_cloudfunctions2_function.function[local.scheduled_calls[each.key].function].service_config[0].uri}${local.scheduled_calls[each.key].query}"

    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = google_cloudfunctions2_function.function[local.scheduled_calls[each.key].function].service_config[0].uri
    }
  }

  lifecycle {
    # cron.tf: the plan stops on a cron Cloud Scheduler or the function would refuse.
    precondition {
      condition     = length(local.cron_errors[each.key]) == 0
      error_message = "The ${each.key} schedule \"${each.value}\" is not a valid cron expression: ${join("; ", local.cron_errors[each.key])}."
    }
  }

  depends_on = [google_cloud_run_v2_service_iam_member.scheduler_invokes]
}
