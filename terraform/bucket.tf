# The backup bucket: private, versioned, soft-deleted objects kept restorable, each backup deleted by Cloud Storage
# itself once its retention (customTime) has passed, old versions cleaned up.

resource "google_storage_bucket" "backups" {
  project       = var.project_id
  name          = var.bucket_name
  location      = var.bucket_location
  storage_class = var.storage_class
  labels        = var.labels
  force_destroy = var.bucket_force_destroy
  depends_on    = [google_kms_crypto_key_iam_member.storage_service_agent]

  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  # A forced run (with allow_force_overwrite) writes a new generation; the previous one stays as a noncurrent version.
  # Cloud Storage refuses versioning together with a retention policy, which protects objects on its own.
  versioning {
    enabled = var.retention_period_days == null
  }

  soft_delete_policy {
    retention_duration_seconds = var.soft_delete_retention_days * 86400
  }

  lifecycle_rule {
    condition {
      with_state                 = "ARCHIVED"
      days_since_noncurrent_time = var.noncurrent_version_retention_days
    }
    action {
      type = "Delete"
    }
  }

  # Retention without delete rights: the function sets each backup's customTime to the end of its retention
  # class and only ever moves it forward; Cloud Storage deletes the object once that day has come. Lifecycle runs
  # asynchronously, up to 24 hours after the condition holds; the deleted backup then stays restorable through soft
  # delete for soft_delete_retention_days, and through noncurrent versions. Objects without a customTime (the alert
  # markers) never meet this condition. A retention policy, when set, still blocks every deletion before its period.
  lifecycle_rule {
    condition {
      days_since_custom_time = 0
      # The provider omits a zero unless told to send it; without it the rule would have no condition at all.
      send_days_since_custom_time_if_zero = true
      matches_prefix                      = var.object_prefix == "" ? null : [var.object_prefix]
    }
    action {
      type = "Delete"
    }
  }

  # The function's alert markers (one small object per failed scheduled execution, so Cloud Scheduler's
  # retries mail once) are only needed while those retries last; the function itself cannot delete them.
  lifecycle_rule {
    condition {
      matches_prefix = [local.alert_marker_prefix]
      age            = 30
    }
    action {
      type = "Delete"
    }
  }

  # Canaries: small objects written through the agents' real upload path to prove it, in a folder of their own
  # that no backup's name can begin with. Gone a day after they are written, live or noncurrent versions alike.
  lifecycle_rule {
    condition {
      matches_prefix = [local.canary_prefix]
      age            = 1
      with_state     = "ANY"
    }
    action {
      type = "Delete"
    }
  }

  # A customer-managed key, when given: Cloud Storage's service agent must hold the grant before the bucket names it.
  dynamic "encryption" {
    for_each = var.kms_key_name == null ? [] : [var.kms_key_name]
    content {
      default_kms_key_name = encryption.value
    }
  }

  dynamic "retention_policy" {
    for_each = var.retention_period_days == null ? [] : [var.retention_period_days]
    content {
      retention_period = tostring(retention_policy.value * 86400)
      is_locked        = var.retention_policy_locked
    }
  }
}
