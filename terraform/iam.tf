# Grants, least privilege: every grant here is additive (no *_iam_binding/_policy that would take roles away
# from others) and scoped to one bucket, one secret, one service account or one function where the API allows.

# No predefined role allows create, read and metadata patch without delete (objectUser and objectAdmin both
# delete), so the function gets exactly these four permissions, bound on the backup bucket only. Patching
# metadata is how it moves an object's customTime (its retention end) forward; Cloud Storage refuses moving it back.
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

# Restore hands the agent a V4 signed URL for one object. The function holds no key file: it signs through the
# IAM signBlob API as itself, which takes this role on its own account and on nothing else.
resource "google_service_account_iam_member" "function_signs_as_itself" {
  service_account_id = google_service_account.function.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = google_service_account.function.member
}

# A gen2 function is served by a Cloud Run service of the same name; invoking it takes run.invoker there.
resource "google_cloud_run_v2_service_iam_member" "scheduler_invokes" {
  # Once per function a job calls: two jobs call verify.
  for_each = toset([for call in values(local.scheduled_calls) : call.function])

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function[each.key].name
  role     = "roles/run.invoker"
  member   = google_service_account.scheduler.member
}

# The admins who run, verify, restore and list by hand (the db-backup command) invoke every function.
resource "google_cloud_run_v2_service_iam_member" "on_demand_invokers" {
  for_each = {
    for pair in setproduct(keys(local.functions), var.invokers) : "${pair[0]} ${pair[1]}" => {
      function = pair[0]
      member   = pair[1]
    }
  }

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function[each.value.function].name
  role     = "roles/run.invoker"
  member   = each.value.member
}

# What a gen2 build does: write its log, push the image to Artifact Registry (gcf-artifacts), read the source.
resource "google_project_iam_member" "build" {
  for_each = toset(["roles/logging.logWriter", "roles/artifactregistry.writer"])

  project = var.project_id
  role    = each.value
  member  = google_service_account.build.member
}

resource "google_storage_bucket_iam_member" "build_reads_source" {
  bucket = google_storage_bucket.function_source.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.build.member
}

# Cloud Functions copies the source into its own gcf-v2-sources-<project number>-<region> bucket, which the
# build reads. That bucket is not ours to name, so the grant is on the project with a condition limiting it to
# those buckets: the build (which runs npm install) can never read a backup.
resource "google_project_iam_member" "build_reads_staged_source" {
  project = var.project_id
  role    = "roles/storage.objectViewer"
  member  = google_service_account.build.member

  condition {
    title       = "gcf-v2-sources buckets only"
    description = "The copies of function sources that Cloud Functions stages for its builds."
    expression  = "resource.name.startsWith(\"projects/_/buckets/gcf-v2-sources-\")"
  }
}

# The Ops Agent on the VM ships the agent's log folder and the VM's metrics; it needs nothing else.
resource "google_project_iam_member" "agent_ops" {
  for_each = toset(["roles/logging.logWriter", "roles/monitoring.metricWriter"])

  project = var.project_id
  role    = each.value
  member  = google_service_account.agent.member
}

# IAM grants take effect up to several minutes after the API accepts them; a build or a first revision started
# sooner fails on a permission it was just given (the provider's own gen2 example waits 60 s, and still fails at
# times). The functions wait for this, which waits for every grant their build and start need. A new grant among
# them (its id changes) waits again.
resource "time_sleep" "grants_applied" {
  create_duration = "${var.iam_propagation_seconds}s"

  triggers = {
    grants = join(",", concat(
      [for grant in google_project_iam_member.build : grant.id],
      [google_storage_bucket_iam_member.build_reads_source.id, google_project_iam_member.build_reads_staged_source.id],
      [for grant in google_secret_manager_secret_iam_member.function_reads_secret : grant.id],
      [google_storage_bucket_iam_member.function_writer.id, google_service_account_iam_member.function_signs_as_itself.id],
    ))
  }
}
