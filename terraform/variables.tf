# Inputs of the module: the project, the bucket, the function's configuration, the schedule and the network.

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
  description = "Region of the functions, the Cloud Scheduler jobs and the Serverless VPC Access connector, e.g. europe-west1."
}

variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name (functions, service accounts, secrets, connector)."
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
    condition     = var.retention_period_days == null || try(var.retention_period_days >= 1 && var.retention_period_days <= 36500, false)
    error_message = "retention_period_days must be null or between 1 and 36500."
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

# --- What the function backs up, and how ---

variable "targets" {
  type = list(object({
    id       = string
    database = string
    engine   = string
    agentUrl = string
    compression = optional(object({
      algorithm = string
      level     = optional(number)
    }))
  }))
  description = "Databases to back up: id, database name, engine (mysql, mongodb, postgres, sqlite), the agent's URL on the VM's internal address, and optional compression { algorithm = gzip|zstd, level }."
  validation {
    condition     = length(var.targets) > 0 && length(distinct([for t in var.targets : t.id])) == length(var.targets)
    error_message = "targets must list at least one database, each with a distinct id."
  }
  validation {
    condition     = alltrue([for t in var.targets : contains(["mysql", "mongodb", "postgres", "sqlite"], t.engine)])
    error_message = "Each target's engine must be mysql, mongodb, postgres or sqlite."
  }
  validation {
    # The same rule the function applies before a name reaches an object name, a command line or a log line.
    condition     = alltrue([for t in var.targets : can(regex("^[A-Za-z0-9._-]+$", t.database)) && can(regex("^[A-Za-z0-9._-]+$", t.id))])
    error_message = "Target ids and database names may contain only letters, digits, '.', '_' and '-'."
  }
  validation {
    condition     = alltrue([for t in var.targets : can(regex("^https?://[^/?#]+", t.agentUrl))])
    error_message = "Each target's agentUrl must be an http(s) URL of the agent."
  }
  validation {
    condition     = alltrue([for t in var.targets : t.compression == null || try(contains(["gzip", "zstd"], t.compression.algorithm), false)])
    error_message = "A target's compression algorithm must be gzip or zstd."
  }
  validation {
    condition = alltrue([
      for t in var.targets : try(t.compression.level == null, true) || try(
        t.compression.level >= 1 && t.compression.level <= (t.compression.algorithm == "gzip" ? 9 : 19) && floor(t.compression.level) == t.compression.level,
        false,
      )
    ])
    error_message = "A compression level must be a whole number, 1-9 for gzip and 1-19 for zstd."
  }
}

variable "object_prefix" {
  type        = string
  description = "Prefix of every backup object name, e.g. \"prod/\". Empty for none."
  default     = ""
}

variable "object_time_zone" {
  type        = string
  description = "IANA time zone of the date in object names (<DBName>_yyyyMMdd). Null uses schedule_time_zone."
  default     = null
}

variable "on_error" {
  type        = string
  description = "What a run does after a failed database: stop (the rest are skipped) or continue."
  default     = "stop"
  validation {
    condition     = contains(["stop", "continue"], var.on_error)
    error_message = "on_error must be stop or continue."
  }
}

variable "concurrency" {
  type        = number
  description = "How many databases one run backs up at the same time."
  default     = 1
  validation {
    condition     = var.concurrency >= 1 && var.concurrency <= 16 && floor(var.concurrency) == var.concurrency
    error_message = "concurrency must be a whole number from 1 to 16."
  }
}

variable "poll_budget_seconds" {
  type        = number
  description = "How long the backup function polls the agent's jobs before reporting them as running. Must stay under the scheduler's 30-minute deadline."
  default     = 1500
  validation {
    condition     = var.poll_budget_seconds >= 30 && var.poll_budget_seconds <= 1700
    error_message = "poll_budget_seconds must be between 30 and 1700, leaving the function time to answer within the 1800 s deadline."
  }
}

variable "job_timeout_minutes" {
  type        = number
  description = "After this many minutes, verify reports a backup job that is still running as stuck."
  default     = 180
  validation {
    condition     = var.job_timeout_minutes >= 30
    error_message = "job_timeout_minutes must be at least 30."
  }
}

# --- Signing and alerts ---

variable "signing_key_id" {
  type        = string
  description = "Key id the function signs with; the agent trusts the public key under this id. A new id per key rotation."
  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,64}$", var.signing_key_id))
    error_message = "signing_key_id must be 1-64 letters, digits, '.', '_' or '-'."
  }
}

variable "signing_public_key_pem" {
  type        = string
  description = "The Ed25519 public key (PEM, SPKI) of the signing key, echoed in the outputs for the agent's configuration. The private key goes to Secret Manager out of band, never through Terraform."
  validation {
    condition     = can(regex("^-----BEGIN PUBLIC KEY-----\\s[A-Za-z0-9+/=\\s]+-----END PUBLIC KEY-----\\s*$", var.signing_public_key_pem))
    error_message = "signing_public_key_pem must be a PEM public key (-----BEGIN PUBLIC KEY-----); a private key must never be passed here."
  }
}

variable "alert_recipients" {
  type        = list(string)
  description = "E-mail addresses that receive the function's failure alerts (Gmail API) and, unless monitoring_emails is set, Cloud Monitoring's."
  validation {
    condition     = length(var.alert_recipients) > 0 && alltrue([for a in var.alert_recipients : can(regex("^[^@,\\s]+@[^@,\\s]+\\.[^@,\\s]+$", a))])
    error_message = "alert_recipients must list at least one e-mail address (no commas)."
  }
}

variable "alert_sender" {
  type        = string
  description = "The Gmail address the alerts are sent from (the account the Gmail credentials belong to, or the user impersonated through domain-wide delegation)."
  validation {
    condition     = can(regex("^[^@,\\s]+@[^@,\\s]+\\.[^@,\\s]+$", var.alert_sender))
    error_message = "alert_sender must be an e-mail address."
  }
}

variable "gmail_auth" {
  type        = string
  description = "How the function authenticates to Gmail: oauth (a personal account's refresh token) or service-account (Workspace domain-wide delegation)."
  default     = "oauth"
  validation {
    condition     = contains(["oauth", "service-account"], var.gmail_auth)
    error_message = "gmail_auth must be oauth or service-account."
  }
}

variable "monitoring_emails" {
  type        = list(string)
  description = "E-mail addresses of the Cloud Monitoring channel that hears of failures even when Gmail fails. Null uses alert_recipients."
  default     = null
}

# --- Functions ---

variable "function_source_dir" {
  type        = string
  description = "Folder holding the function's deployable source: package.json, package-lock.json and the compiled dist/. scripts/stage-function.sh builds it into terraform/.build/function-source."
}

variable "runtime" {
  type        = string
  description = "Node.js runtime of the functions."
  default     = "nodejs20"
  validation {
    condition     = contains(["nodejs20", "nodejs22"], var.runtime)
    error_message = "runtime must be nodejs20 or nodejs22."
  }
}

variable "build_service_account" {
  type        = string
  description = "Service account Cloud Build uses to build the functions (projects/PROJECT/serviceAccounts/EMAIL). Null uses the project's default build account."
  default     = null
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
  description = "IAM members allowed to run an on-demand backup, e.g. [\"user:admin@example.com\"]."
  default     = []
  validation {
    condition     = alltrue([for m in var.invokers : can(regex("^(user|group|serviceAccount|domain):.+", m))])
    error_message = "invokers must be user:, group:, serviceAccount: or domain: members; allUsers and allAuthenticatedUsers are refused."
  }
}

# --- Schedule ---

variable "backup_schedule" {
  type        = string
  description = "Cron schedule of the nightly backup, in schedule_time_zone."
  default     = "0 2 * * *"
  validation {
    condition     = length(split(" ", trimspace(var.backup_schedule))) == 5
    error_message = "backup_schedule must be a five-field cron expression."
  }
}

variable "verify_schedule" {
  type        = string
  description = "Cron schedule of the verify watchdog, in schedule_time_zone; after the backup has had time to finish."
  default     = "0 6 * * *"
  validation {
    condition     = length(split(" ", trimspace(var.verify_schedule))) == 5
    error_message = "verify_schedule must be a five-field cron expression."
  }
}

variable "schedule_time_zone" {
  type        = string
  description = "IANA time zone of both schedules."
  default     = "Europe/Lisbon"
  validation {
    condition     = can(regex("^(UTC|[A-Za-z_]+(/[A-Za-z0-9_+-]+)+)$", var.schedule_time_zone))
    error_message = "schedule_time_zone must be an IANA time zone such as Europe/Lisbon or UTC."
  }
}

variable "scheduler_retry_count" {
  type        = number
  description = "How many times Cloud Scheduler retries a failed call. Retrying a backup is safe: objects are create-only."
  default     = 2
  validation {
    condition     = var.scheduler_retry_count >= 0 && var.scheduler_retry_count <= 5
    error_message = "scheduler_retry_count must be between 0 and 5."
  }
}

# --- Network ---

variable "network" {
  type        = string
  description = "VPC network of the database VM (name or self link)."
  default     = "default"
}

variable "connector_cidr" {
  type        = string
  description = "Unused /28 range in the network for the Serverless VPC Access connector; the only source the agent's firewall rule admits."
  default     = "10.8.0.0/28"
  validation {
    condition     = can(cidrhost(var.connector_cidr, 0)) && endswith(var.connector_cidr, "/28")
    error_message = "connector_cidr must be an IPv4 /28 range."
  }
}

variable "agent_network_tag" {
  type        = string
  description = "Network tag of the database VMs that run the agent."
  default     = "db-backup-agent"
  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", var.agent_network_tag))
    error_message = "agent_network_tag must be a valid network tag (lowercase letters, digits, hyphens)."
  }
}

variable "agent_port" {
  type        = number
  description = "TCP port the agent listens on."
  default     = 8443
  validation {
    condition     = var.agent_port >= 1 && var.agent_port <= 65535 && floor(var.agent_port) == var.agent_port
    error_message = "agent_port must be a TCP port (1-65535)."
  }
}
