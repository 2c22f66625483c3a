# Inputs of the module: the project and the bucket. variables-backup.tf: what is backed up and kept;
# variables-deploy.tf: the functions, schedules, alerts and network.

variable "project_id" {
  type        = string
  description = "The Google Cloud project to deploy into."
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a project ID (6-30 lowercase letters, digits and hyphens), not a project name or number."
  }
}

variable "region" {
  type        = string
  description = "Region of the functions, the Cloud Scheduler jobs and the functions' subnet (or connector), e.g. europe-west1."
}

variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name (functions, service accounts, secrets, subnet, firewall rules)."
  default     = "db-backup"
  validation {
    # Bounded so that "<prefix>-sched" (service account, 30 max) and "<prefix>-conn" (connector, 25 max) fit.
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-20 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "labels" {
  type        = map(string)
  description = "Labels added to the bucket, the secrets and the functions."
  default     = {}
}

# --- Bucket ---

variable "bucket_name" {
  type        = string
  description = "Globally unique name of the backup bucket."
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be 3-63 lowercase letters, digits, hyphens and underscores."
  }
}

variable "bucket_location" {
  type        = string
  description = "Location of the backup bucket: a multi-region (EU, US), a dual-region or a region."
  default     = "EU"
}

variable "kms_key_name" {
  type        = string
  description = "A Cloud KMS key (projects/…/locations/…/keyRings/…/cryptoKeys/…) the bucket encrypts its objects with, as defence in depth beside the agents' own age encryption, never in its place; the module grants Cloud Storage's service agent the use of it. Google-managed encryption when null. The key must be in the bucket's location."
  default     = null
  validation {
    condition     = var.kms_key_name == null || can(regex("^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$", var.kms_key_name))
    error_message = "kms_key_name must be a key's full name: projects/PROJECT/locations/LOCATION/keyRings/RING/cryptoKeys/KEY."
  }
}

variable "storage_class" {
  type        = string
  description = "Default storage class of the backup bucket."
  default     = "STANDARD"
  validation {
    condition     = contains(["STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE"], var.storage_class)
    error_message = "storage_class must be STANDARD, NEARLINE, COLDLINE or ARCHIVE."
  }
}

variable "noncurrent_version_retention_days" {
  type        = number
  description = "Days after which a noncurrent (overwritten or deleted) backup version is removed."
  default     = 30
  validation {
    condition     = var.noncurrent_version_retention_days >= 1 && floor(var.noncurrent_version_retention_days) == var.noncurrent_version_retention_days
    error_message = "noncurrent_version_retention_days must be a whole number of days, at least 1."
  }
}

variable "soft_delete_retention_days" {
  type        = number
  description = "Days a deleted object stays restorable (soft delete). 0 turns soft delete off; otherwise 7 to 90."
  default     = 7
  validation {
    condition     = var.soft_delete_retention_days == 0 || (var.soft_delete_retention_days >= 7 && var.soft_delete_retention_days <= 90)
    error_message = "soft_delete_retention_days must be 0 or between 7 and 90."
  }
}

variable "retention_period_days" {
  type        = number
  description = "Optional bucket retention policy in days: no object can be deleted or replaced before that age. Cloud Storage does not allow it together with versioning, so setting it turns versioning off. Null for none."
  default     = null
  validation {
    # Cloud Storage's limit is 3,155,760,000 seconds (100 years); provider 7 sends the period as a string, so
    # every value up to it arrives whole (provider 6 overflowed past 24,855 days).
    condition     = var.retention_period_days == null || try(var.retention_period_days >= 1 && var.retention_period_days <= 36500 && floor(var.retention_period_days) == var.retention_period_days, false)
    error_message = "retention_period_days must be null or a whole number of days from 1 to 36500."
  }
}

variable "retention_policy_locked" {
  type        = bool
  description = "Lock the retention policy. Irreversible: a locked policy can never be reduced or removed, and the bucket cannot be deleted while it holds objects."
  default     = false
}

variable "allow_force_overwrite" {
  type        = bool
  description = "Also grant the backup function storage.objects.delete on the backup bucket (that permission alone, in a role of its own), which Cloud Storage requires to replace an existing object: only then can an on-demand force=true run write a new generation of today's backup. The replaced backup stays restorable as a noncurrent version for noncurrent_version_retention_days, then through soft delete for soft_delete_retention_days. With retention_period_days set, versioning is off: an object younger than the retention period can be neither replaced nor deleted anyway, and an older one, once replaced, is kept only by soft delete. False (the default): nothing holding the function's identity can delete or replace a backup."
  default     = false
}

variable "bucket_force_destroy" {
  type        = bool
  description = "Let terraform destroy delete the backup bucket together with its backups."
  default     = false
}
