# The functions (Cloud Run functions, gen2), one per entry point, built by Cloud Build from the staged source.

resource "google_cloudfunctions2_function" "function" {
  for_each = local.functions

  project     = var.project_id
  location    = var.region
  name        = local.function_names[each.key]
  description = each.value
  labels      = var.labels

  build_config {
    runtime         = var.runtime
    entry_point     = each.key
    service_account = google_service_account.build.id
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

    # Only private ranges (the agent's internal address) go through the VPC; Google APIs do not. Direct VPC
    # egress puts the instances on the module's subnet; the connector is the older way, billed always on.
    vpc_connector                 = var.vpc_egress == "connector" ? google_vpc_access_connector.function[0].id : null
    vpc_connector_egress_settings = var.vpc_egress == "connector" ? "PRIVATE_RANGES_ONLY" : null
    direct_vpc_egress             = var.vpc_egress == "direct" ? "VPC_EGRESS_PRIVATE_RANGES_ONLY" : null
    dynamic "direct_vpc_network_interface" {
      for_each = google_compute_subnetwork.function
      content {
        network    = local.network_name
        subnetwork = direct_vpc_network_interface.value.name
      }
    }

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

  # The build must hold its roles before the first build runs, and the function must be able to read its secrets
  # before its first revision starts: time_sleep waits for those grants, and for them to take effect.
  depends_on = [time_sleep.grants_applied]
}
