# Everything the module tells the admin, passed through: the guide (../../README.md) reads each of these here.

output "function_urls" {
  description = "URL of each function (its Cloud Run service), by entry point: backup, verify, restore, retention, list."
  value       = module.db_backup.function_urls
}

output "backup_function_url" {
  description = "URL of the backup function, for on-demand runs (?databases=…&force=…&dryRun=…)."
  value       = module.db_backup.backup_function_url
}

output "bucket_name" {
  description = "Name of the backup bucket."
  value       = module.db_backup.bucket_name
}

output "bucket_url" {
  description = "gs:// URL of the backup bucket."
  value       = module.db_backup.bucket_url
}

output "function_service_account" {
  description = "E-mail of the functions' service account."
  value       = module.db_backup.function_service_account
}

output "scheduler_service_account" {
  description = "E-mail of the Cloud Scheduler jobs' service account."
  value       = module.db_backup.scheduler_service_account
}

output "build_service_account" {
  description = "E-mail of the service account Cloud Build builds the functions as; the deployer needs iam.serviceAccounts.actAs on it."
  value       = module.db_backup.build_service_account
}

output "agent_service_account" {
  description = "E-mail of the service account to attach to the database VM (logs and metrics only)."
  value       = module.db_backup.agent_service_account
}

output "secret_ids" {
  description = "Secret Manager secret id by environment variable; add their values with gcloud secrets versions add."
  value       = module.db_backup.secret_ids
}

output "agent_trusted_keys" {
  description = "The public key the agents must trust, in agent.json's own shape: { \"<key id>\": \"<PEM>\" }."
  value       = module.db_backup.agent_trusted_keys
}

output "agent_config" {
  description = "Per agent, by its url: the part of its /etc/db-backup/agent.json that follows from this deployment (listen, publicUrl, trustedKeys, uploads), to merge into it. Its targets' ids must be the ids of var.targets that name this agent."
  value       = module.db_backup.agent_config
}

output "agent_network_tag" {
  description = "Network tag to put on the database VM so the functions can reach its agent."
  value       = module.db_backup.agent_network_tag
}

output "agent_upload_buckets" {
  description = "The bucket the agent's uploads.buckets must list (agent.json)."
  value       = module.db_backup.agent_upload_buckets
}

output "dashboard_url" {
  description = "Link to the Cloud Monitoring dashboard: per database, backup size, duration and each night's outcome."
  value       = module.db_backup.dashboard_url
}
