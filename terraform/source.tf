# The functions' source: the zip the staging script wrote, uploaded to a private bucket of its own.

# Neither the functions' identity nor the backups share this bucket: the build reads it, nothing else.
resource "google_storage_bucket" "function_source" {
  project                     = var.project_id
  name                        = "${var.project_id}-${var.name_prefix}-source"
  location                    = var.region
  labels                      = var.labels
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true

  # An archive is rebuilt from the repository at will: a replaced one need not linger in soft delete.
  soft_delete_policy {
    retention_duration_seconds = 0
  }

  # Old archives go: Terraform deletes the one a new build replaces (the object is named by content, so it is
  # replaced, never updated), and this rule removes any left behind, e.g. by an apply that failed half-way. It
  # also removes the live archive after that many days, which a deployed function no longer needs (Cloud Functions
  # copies the source into its own gcf-v2-sources bucket at deploy); the next apply uploads it again, and its plan
  # shows that one object to create and no change to the functions.
  lifecycle_rule {
    condition {
      age            = var.source_archive_retention_days
      matches_prefix = ["function-source-"]
    }
    action {
      type = "Delete"
    }
  }
}

# Named by content, so a new build replaces the functions and an unchanged one leaves them alone: the staging
# script writes the zip byte for byte the same from the same build (sorted entries, fixed times and modes).
resource "google_storage_bucket_object" "function_source" {
  bucket = google_storage_bucket.function_source.name
  name   = "function-source-${filemd5(var.function_source_zip)}.zip"
  source = var.function_source_zip
}
