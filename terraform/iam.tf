# Identities and grants, least privilege: every grant here is additive (no *_iam_binding/_policy that would
# take roles away from others) and scoped to one bucket, one secret or one function where the API allows it.

resource "google_service_account" "function" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-fn"
  display_name = "Database backup functions"
  description  = "Runs the backup and verify functions: creates upload sessions in the backup bucket and reads its secrets."
}

resource "google_service_account" "scheduler" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-sched"
  display_name = "Database backup scheduler"
  description  = "Identity of the Cloud Scheduler jobs; may only invoke the backup and verify functions."
}

resource "google_service_account" "agent" {
  project      = var.project_id
  account_id   = "${var.name_prefix}-agent"
  display_name = "Database backup agent VM"
  description  = "Attached to the database VM: writes logs and metrics for the Ops Agent, nothing on storage."
}

# No predefined role allows create, read and metadata patch without delete (objectUser and objectAdmin both
# delete), so the function gets exactly these four permissions, bound on the backup bucket only.
resource "google_project_iam_custom_role" "backup_writer" {
  project     = var.project_id
  role_id     = "${replace(var.name_prefix, "-", "_")}_writer"
  title       = "Database backup writer"
  description = "Create, read, list and patch backup objects; never delete them."
  permissions = [
    "storage.objects.create",
    "storage.objects.get",
    "storage.objects.list",
    "storage.objects.update",
  ]
}

resource "google_storage_bucket_iam_member" "function_writer" {
  bucket = google_storage_bucket.backups.name
  role   = google_project_iam_custom_role.backup_writer.name
  member = google_service_account.function.member
}

# Opt-in (allow_force_overwrite): Cloud Storage asks for delete to replace an existing object, so force=true needs
# it. A role of its own, created only when asked for, keeps the default free of any delete permission; the bucket's
# versioning and soft delete keep what it replaces or deletes restorable.
resource "google_project_iam_custom_role" "backup_overwriter" {
  count = var.allow_force_overwrite ? 1 : 0

  project     = var.project_id
  role_id     = "${replace(var.name_prefix, "-", "_")}_overwriter"
  title       = "Database backup overwriter"
  description = "Delete backup objects, which replacing one with a new generation requires."
  permissions = ["storage.objects.delete"]
}

resource "google_storage_bucket_iam_member" "function_overwriter" {
  count = var.allow_force_overwrite ? 1 : 0

  bucket = google_storage_bucket.backups.name
  role   = google_project_iam_custom_role.backup_overwriter[0].name
  member = google_service_account.function.member
}

resource "google_secret_manager_secret_iam_member" "function_reads_secret" {
  for_each = google_secret_manager_secret.function

  project   = var.project_id
  secret_id = each.value.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.function.member
}

# A gen2 function is served by a Cloud Run service of the same name; invoking it takes run.invoker there.
resource "google_cloud_run_v2_service_iam_member" "scheduler_invokes" {
  for_each = google_cloudfunctions2_function.function

  project  = var.project_id
  location = var.region
  name     = each.value.name
  role     = "roles/run.invoker"
  member   = google_service_account.scheduler.member
}

resource "google_cloud_run_v2_service_iam_member" "on_demand_invokers" {
  for_each = toset(var.invokers)

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function["backup"].name
  role     = "roles/run.invoker"
  member   = each.value
}

# The Ops Agent on the VM ships the agent's log folder and the VM's metrics; it needs nothing else.
resource "google_project_iam_member" "agent_ops" {
  for_each = toset(["roles/logging.logWriter", "roles/monitoring.metricWriter"])

  project = var.project_id
  role    = each.value
  member  = google_service_account.agent.member
}
