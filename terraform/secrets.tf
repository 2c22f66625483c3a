# Secret Manager secrets the function reads. Terraform creates them empty: their values are added out of band
# (gcloud secrets versions add), so no private key or credential ever lands in Terraform state.

resource "google_secret_manager_secret" "function" {
  for_each = local.function_secrets

  project   = var.project_id
  secret_id = "${var.name_prefix}-${each.value}"
  labels    = var.labels

  replication {
    auto {}
  }
}
