# The function's whole environment and the other values shared by the resources in the other files.

locals {
  # Every function gets the same configuration: the inputs' settings plus the names of resources made here.
  function_environment = merge(local.function_settings, {
    BACKUP_BUCKET = google_storage_bucket.backups.name
    # X-CloudScheduler-* headers are trusted only on calls whose verified OIDC token names this account.
    BACKUP_SCHEDULER_SERVICE_ACCOUNT = google_service_account.scheduler.email
  })

  # Environment variable => Secret Manager secret (suffix of its id); the values never pass through Terraform.
  function_secrets = {
    BACKUP_SIGNING_KEY = "signing-key"
    GMAIL_CREDENTIALS  = "gmail-credentials"
  }

  monitoring_emails = coalesce(var.monitoring_emails, var.alert_recipients)
}
