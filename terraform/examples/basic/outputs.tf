# Everything the module tells the admin, passed through.

output "function_urls" {
  description = "URL of each function by entry point, for db-backup (terraform output -json function_urls)."
  value       = module.db_backup.function_urls
}

output "backup_function_url" {
  description = "URL of the backup function, for on-demand runs."
  value       = module.db_backup.backup_function_url
}

output "bucket_name" {
  description = "Name of the backup bucket."
  value       = module.db_backup.bucket_name
}

output "secret_ids" {
  description = "Secrets to fill with gcloud secrets versions add."
  value       = module.db_backup.secret_ids
}

output "agent_service_account" {
  description = "Service account to attach to the database VM."
  value       = module.db_backup.agent_service_account
}

output "agent_trusted_key" {
  description = "Key id and public key for the agent's trustedKeys."
  value       = module.db_backup.agent_trusted_key
}

output "dashboard_url" {
  description = "The Cloud Monitoring dashboard: per database, backup size, duration and each night's outcome."
  value       = module.db_backup.dashboard_url
}

output "agent_upload_buckets" {
  description = "The bucket the agent's uploads.buckets must list."
  value       = module.db_backup.agent_upload_buckets
}
