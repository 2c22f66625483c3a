# Inputs of the deployment: the functions, their schedules and the network between them and the agent.

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
  description = "IAM members allowed to call every function by hand (run, verify, restore, retention, list, status), e.g. [\"user:admin@example.com\"]."
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
  description = "Cron schedule of the restore drill, in time_zone: the restore function restores every target's newest verified backup into a scratch database and validates it. Weekly by default (Sundays 08:00)."
  default     = "0 8 * * 0"
  validation {
    condition     = length(regexall("\\S+", var.drill_schedule)) == 5
    error_message = "drill_schedule must be a five-field cron expression."
  }
}

variable "deep_check_schedule" {
  type        = string
  description = "Cron schedule of the deep check, in time_zone: verify with deep=true reads every byte of the day's backup of every target and compares its hashes with those recorded. Weekly by default (Saturdays 07:00)."
  default     = "0 7 * * 6"
  validation {
    condition     = length(regexall("\\S+", var.deep_check_schedule)) == 5
    error_message = "deep_check_schedule must be a five-field cron expression."
  }
}

variable "time_zone" {
  type        = string
  description = "IANA time zone of the schedules and of the date in object names (BACKUP_TIME_ZONE)."
  default     = "Europe/Lisbon"
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

# --- Network ---

variable "network" {
  type        = string
  description = "VPC network of the database VM (name or self link)."
  default     = "default"
}

variable "vpc_egress" {
  type        = string
  description = "How the functions reach the agent's internal address: direct (Direct VPC egress from a subnet the module creates; nothing billed while idle) or connector (a Serverless VPC Access connector, whose instances are billed around the clock). The agent's firewall admits the chosen range."
  default     = "direct"
  validation {
    condition     = contains(["direct", "connector"], var.vpc_egress)
    error_message = "vpc_egress must be direct or connector."
  }
}

variable "function_subnet_cidr" {
  type        = string
  description = "Unused range in the network for the functions' own subnet (vpc_egress = direct): /26 or larger, as Direct VPC egress asks; the only source the agent's firewall admits."
  default     = "10.8.0.0/26"
  validation {
    condition     = can(cidrhost(var.function_subnet_cidr, 0)) && can(regex("^[0-9.]+/(1[6-9]|2[0-6])$", var.function_subnet_cidr))
    error_message = "function_subnet_cidr must be an IPv4 range from /16 to /26."
  }
}

variable "connector_cidr" {
  type        = string
  description = "Unused /28 range in the network for the Serverless VPC Access connector (vpc_egress = connector); the only source the agent's firewall then admits."
  default     = "10.8.0.0/28"
  validation {
    condition     = can(cidrhost(var.connector_cidr, 0)) && endswith(var.connector_cidr, "/28")
    error_message = "connector_cidr must be an IPv4 /28 range."
  }
}

variable "private_google_access" {
  type        = bool
  description = "Private Google Access on the subnet the module creates (vpc_egress = direct). The database VM's own subnet is not managed here: turn it on there (see the README) or use database_cloud_nat."
  default     = true
}

variable "database_cloud_nat" {
  type = object({
    region     = string
    subnetwork = string
  })
  description = "Optional Cloud NAT for the database VM's subnet ({ region, subnetwork }), so an agent without an external address reaches Cloud Storage without Private Google Access. Billed per hour and per GB; null for none."
  default     = null
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

variable "agent_firewall_priority" {
  type        = number
  description = "Priority of the rule admitting the functions to the agent's port; the rule denying everyone else gets the next number. Both must come before default-allow-internal (65534)."
  default     = 900
  validation {
    condition     = var.agent_firewall_priority >= 0 && var.agent_firewall_priority <= 65532 && floor(var.agent_firewall_priority) == var.agent_firewall_priority
    error_message = "agent_firewall_priority must be a whole number from 0 to 65532."
  }
}
