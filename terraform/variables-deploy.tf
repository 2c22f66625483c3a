# Inputs of the deployment: the functions and their schedules. variables-network.tf: the network between them and the agents.

variable "function_source_zip" {
  type        = string
  description = "Path of the zip holding the function's deployable source (package.json, package-lock.json and the compiled dist/), which scripts/stage-function.sh writes to terraform/.build/function-source.zip."
  validation {
    condition     = can(filemd5(var.function_source_zip))
    error_message = "function_source_zip must name the zip that scripts/stage-function.sh writes (terraform/.build/function-source.zip): no file can be read there; run that script first."
  }
}

variable "runtime" {
  type        = string
  description = "Node.js runtime of the functions: nodejs22 or nodejs24 (nodejs20 was decommissioned on 2026-10-30, so new functions can no longer use it)."
  default     = "nodejs22"
  validation {
    condition     = contains(["nodejs22", "nodejs24"], var.runtime)
    error_message = "runtime must be nodejs22 or nodejs24."
  }
}

variable "ingress_settings" {
  type        = string
  description = "Who may reach the functions over the network. Internal only by default; Cloud Scheduler in the same project counts as internal."
  default     = "ALLOW_INTERNAL_ONLY"
  validation {
    condition     = contains(["ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB"], var.ingress_settings)
    error_message = "ingress_settings must be ALLOW_INTERNAL_ONLY or ALLOW_INTERNAL_AND_GCLB; the functions are never open to all traffic."
  }
}

variable "invokers" {
  type        = list(string)
  description = "IAM members allowed to call every function by hand (run, verify, restore, retention, list, status, doctor), e.g. [\"user:admin@example.com\"]."
  default     = []
  validation {
    condition     = alltrue([for m in var.invokers : can(regex("^(user|group|serviceAccount|domain):.+", m))])
    error_message = "invokers must be user:, group:, serviceAccount: or domain: members; allUsers and allAuthenticatedUsers are refused."
  }
}

variable "source_archive_retention_days" {
  type        = number
  description = "Days after which Cloud Storage deletes a function source archive from the source bucket (Terraform uploads the live one again on the next apply)."
  default     = 30
  validation {
    condition     = var.source_archive_retention_days >= 1 && floor(var.source_archive_retention_days) == var.source_archive_retention_days
    error_message = "source_archive_retention_days must be a whole number of days, at least 1."
  }
}

# --- Schedules (Cloud Scheduler's five-field cron, in time_zone) ---

variable "backup_schedule" {
  type        = string
  description = "Cron schedule of the nightly backup, in time_zone. The function reads the same value (BACKUP_SCHEDULE) to know when the last scheduled backup was due."
  default     = "0 2 * * *"
  validation {
    condition     = length(regexall("\\S+", var.backup_schedule)) == 5
    error_message = "backup_schedule must be a five-field cron expression."
  }
}

variable "verify_schedule" {
  type        = string
  description = "Cron schedule of the verify watchdog, in time_zone; after the backup has had time to finish."
  default     = "0 6 * * *"
  validation {
    condition     = length(regexall("\\S+", var.verify_schedule)) == 5
    error_message = "verify_schedule must be a five-field cron expression."
  }
}

variable "drill_schedule" {
  type        = string
  description = "Cron schedule of the restore drill, in time_zone: the restore function restores every target's newest verified backup into a scratch database and validates it. Weekly by default (Sundays 08:00). The function reads the same value (BACKUP_DRILL_SCHEDULE): status reports a drill its latest run did not record."
  default     = "0 8 * * 0"
  validation {
    condition     = length(regexall("\\S+", var.drill_schedule)) == 5
    error_message = "drill_schedule must be a five-field cron expression."
  }
}

variable "deep_check_schedule" {
  type        = string
  description = "Cron schedule of the deep check, in time_zone: verify with deep=true reads every byte of the day's backup of every target and compares its hashes with those recorded. Weekly by default (Saturdays 07:00). The function reads the same value (BACKUP_DEEP_CHECK_SCHEDULE): status reports a deep check its latest run did not record."
  default     = "0 7 * * 6"
  validation {
    condition     = length(regexall("\\S+", var.deep_check_schedule)) == 5
    error_message = "deep_check_schedule must be a five-field cron expression."
  }
}

variable "binlog_schedule" {
  type        = string
  description = "Cron schedule of the binary-log shipping, in time_zone: the binlogs function ships the closed binary logs of every pointInTime target (every 5 minutes by default). The recovery point to expect is this interval plus the time to flush and upload the last log (BACKUP_BINLOG_SCHEDULE)."
  default     = "*/5 * * * *"
  validation {
    condition     = length(regexall("\\S+", var.binlog_schedule)) == 5
    error_message = "binlog_schedule must be a five-field cron expression."
  }
}

variable "time_zone" {
  type        = string
  description = "IANA time zone of the schedules and of the date in object names (BACKUP_TIME_ZONE)."
  default     = "UTC"
  validation {
    # The zones the function's time-zone check knows (time-zones.tf, generated from the same ICU data).
    condition     = contains(local.time_zones, var.time_zone)
    error_message = "time_zone must be an IANA time zone such as Europe/Lisbon or UTC (the list is in time-zones.tf)."
  }
}

variable "scheduler_retry_count" {
  type        = number
  description = "How many times Cloud Scheduler retries a failed call. Retrying a backup is safe: objects are create-only."
  default     = 2
  validation {
    condition     = var.scheduler_retry_count >= 0 && var.scheduler_retry_count <= 5 && floor(var.scheduler_retry_count) == var.scheduler_retry_count
    error_message = "scheduler_retry_count must be a whole number from 0 to 5."
  }
}

variable "iam_propagation_seconds" {
  type        = number
  description = "How long the apply waits after the grants the functions' build and start need, before creating the functions: grants take effect up to several minutes after they are made."
  default     = 120
  validation {
    condition     = var.iam_propagation_seconds >= 0 && var.iam_propagation_seconds <= 900 && floor(var.iam_propagation_seconds) == var.iam_propagation_seconds
    error_message = "iam_propagation_seconds must be a whole number of seconds from 0 to 900."
  }
}
