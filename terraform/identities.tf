# The four service accounts: the functions, the scheduler, Cloud Build and the agent VM. Their grants are in iam.tf.

resource "google_service_account" "function" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-fn"
  display_name = "Database backup functions"
  description  = "Runs the backup functions: creates upload sessions and patches metadata in the backup bucket, reads its secrets, signs restore URLs as itself."
}

resource "google_service_account" "scheduler" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-sched"
  display_name = "Database backup scheduler"
  description  = "Identity of the Cloud Scheduler jobs; may only invoke the backup functions."
}

# The build account of new projects has no roles where iam.automaticIamGrantsForDefaultServiceAccounts is
# enforced (the default for organizations created since May 2024), so gen2 builds get an account of their own.
resource "google_service_account" "build" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-build"
  display_name = "Database backup function builds"
  description  = "Cloud Build identity for the functions' builds: writes build logs and images, reads the function source."
}

resource "google_service_account" "agent" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-agent"
  display_name = "Database backup agent VM"
  description  = "Attached to the database VM: writes logs and metrics for the Ops Agent, nothing on storage."
}
