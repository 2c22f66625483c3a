# What the admin needs after apply: where to call, where backups land, who is who, and what the agent trusts.

output "function_urls" {
  description = "URL of each function (its Cloud Run service), by entry point: backup, verify, restore, retention, list, status, doctor."
  value       = { for k, f in google_cloudfunctions2_function.function : k => f.service_config[0].uri }
}

output "backup_function_url" {
  description = "URL of the backup function, for on-demand runs (?databases=…&force=…&dryRun=…)."
  value       = google_cloudfunctions2_function.function["backup"].service_config[0].uri
}

output "bucket_name" {
  description = "Name of the backup bucket."
  value       = google_storage_bucket.backups.name
}

output "bucket_url" {
  description = "gs:// URL of the backup bucket."
  value       = google_storage_bucket.backups.url
}

output "function_service_account" {
  description = "E-mail of the functions' service account."
  value       = google_service_account.function.email
}

output "scheduler_service_account" {
  description = "E-mail of the Cloud Scheduler jobs' service account."
  value       = google_service_account.scheduler.email
}

output "build_service_account" {
  description = "E-mail of the service account Cloud Build builds the functions as; the deployer needs iam.serviceAccounts.actAs on it."
  value       = google_service_account.build.email
}

output "agent_service_account" {
  description = "E-mail of the service account to attach to the database VM (logs and metrics only)."
  value       = google_service_account.agent.email
}

output "secret_ids" {
  description = "Secret Manager secret id by environment variable; add their values with gcloud secrets versions add."
  value       = { for env, s in google_secret_manager_secret.function : env => s.secret_id }
}

output "agent_trusted_keys" {
  description = "The public key the agents must trust, in agent.json's own shape: { \"<key id>\": \"<PEM>\" }."
  value       = { (var.signing_key_id) = var.signing_public_key_pem }
}

output "agent_config" {
  description = "Per agent, by its url: the part of its /etc/db-backup/agent.json that follows from this deployment (listen, publicUrl, trustedKeys, uploads), to merge into it. Its targets' ids must be the ids of var.targets that name this agent."
  value = {
    for agent in var.agents : agent.url => {
      listen = {
        host = regex(local.agent_url_pattern, agent.url).host
        port = var.agent_port
      }
      # The origin the function calls and signs for; the agent rebuilds every signed URI from it.
      publicUrl   = agent.url
      trustedKeys = { (var.signing_key_id) = var.signing_public_key_pem }
      uploads     = { buckets = [google_storage_bucket.backups.name] }
    }
  }
}

output "agent_network_tag" {
  description = "Network tag to put on the database VM so the functions can reach its agent."
  value       = var.agent_network_tag
}

output "agent_upload_buckets" {
  description = "The bucket the agent's uploads.buckets must list (agent.json)."
  value       = [google_storage_bucket.backups.name]
}

output "dashboard_url" {
  description = "Link to the Cloud Monitoring dashboard: per database, backup size, duration and each night's outcome."
  value       = "https://console.cloud.google.com/monitoring/dashboards/custom/${element(split("/", google_monitoring_dashboard.backups.id), 3)}?project=${var.project_id}"
}
