# Cloud Scheduler jobs: the nightly backup and the later verify watchdog, each calling its function with an
# OIDC token of the scheduler's own service account.

locals {
  schedules = {
    backup = var.backup_schedule
    verify = var.verify_schedule
  }
}

resource "google_cloud_scheduler_job" "function" {
  for_each = local.schedules

  project     = var.project_id
  region      = var.region
  name        = "${var.name_prefix}-${each.key}"
  description = "Calls the ${each.key} function."
  schedule    = each.value
  time_zone   = var.schedule_time_zone

  # The longest Cloud Scheduler waits for an HTTP target; the function answers within its poll budget.
  attempt_deadline = "1800s"

  # Retrying is safe: the backup never overwrites an object that a previous attempt already wrote.
  retry_config {
    retry_count          = var.scheduler_retry_count
    min_backoff_duration = "60s"
    max_backoff_duration = "600s"
    max_doublings        = 2
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.function[each.key].url

    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = google_cloudfunctions2_function.function[each.key].url
    }
  }

  depends_on = [google_cloud_run_v2_service_iam_member.scheduler_invokes]
}
