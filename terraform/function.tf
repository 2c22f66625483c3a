# The backup and verify functions (Cloud Run functions, gen2), built by Cloud Build from the staged source.

# A bucket of its own for the source archive: the function's identity has no access to it, nor Cloud Build to
# the backups.
resource "google_storage_bucket" "function_source" {
  project                     = var.project_id
  name                        = "${var.project_id}-${var.name_prefix}-source"
  location                    = var.region
  labels                      = var.labels
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
}

data "archive_file" "function_source" {
  type        = "zip"
  source_dir  = var.function_source_dir
  output_path = "${path.module}/.build/function-source.zip"
}

# Named by content, so a new build replaces the functions and an unchanged one leaves them alone.
resource "google_storage_bucket_object" "function_source" {
  bucket = google_storage_bucket.function_source.name
  name   = "function-source-${data.archive_file.function_source.output_md5}.zip"
  source = data.archive_file.function_source.output_path
}

resource "google_cloudfunctions2_function" "function" {
  for_each = local.functions

  project     = var.project_id
  location    = var.region
  name        = "${var.name_prefix}-${each.key}"
  description = each.value
  labels      = var.labels

  build_config {
    runtime         = var.runtime
    entry_point     = each.key
    service_account = var.build_service_account
    # The source is already compiled: install dependencies only, never run package.json's build script.
    environment_variables = {
      GOOGLE_NODE_RUN_SCRIPTS = ""
    }
    source {
      storage_source {
        bucket = google_storage_bucket.function_source.name
        object = google_storage_bucket_object.function_source.name
      }
    }
  }

  service_config {
    service_account_email = google_service_account.function.email
    available_memory      = "256Mi"
    # Cloud Scheduler waits 30 minutes at most; the function polls within poll_budget_seconds, below that.
    timeout_seconds = 1800
    # One run at a time: a second concurrent run would only find the objects already being written.
    max_instance_count               = 1
    max_instance_request_concurrency = 1
    all_traffic_on_latest_revision   = true

    # Cloud Scheduler in the same project counts as internal traffic for Cloud Run, so internal-only ingress
    # still lets the scheduled calls in while nothing from the internet reaches the function.
    ingress_settings = var.ingress_settings

    # Only private ranges go through the connector (to the agent's internal address); Google APIs do not.
    vpc_connector                 = google_vpc_access_connector.function.id
    vpc_connector_egress_settings = "PRIVATE_RANGES_ONLY"

    environment_variables = local.function_environment

    dynamic "secret_environment_variables" {
      for_each = google_secret_manager_secret.function
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = secret_environment_variables.value.secret_id
        version    = "latest"
      }
    }
  }

  # The function must be able to read its secrets before its first revision starts.
  depends_on = [google_secret_manager_secret_iam_member.function_reads_secret]
}
