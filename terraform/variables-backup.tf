# Inputs of the function's configuration: what is backed up, through which agents, how, and how long it is kept.
# Each rule here is the function's own (functions/config), so a value Terraform accepts never stops it starting.

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
    encryption  = optional(string, "required")
    pointInTime = optional(bool, false)
  }))
  description = "Databases to back up: id, database name, engine (mysql, mongodb, postgres, sqlite), the URL of its agent (one of agents[].url), optional compression { algorithm = gzip|zstd, level }, encryption: required (the default: age-encrypted on the VM, named ….age, refused where its agent holds no recipients) or off (an explicit plain backup, which its agent.json must allow), and pointInTime (mysql only, default false): its server's binary logs are shipped on binlog_schedule and watched against rpo_minutes, for restores to a moment within the last retention_daily_days days."
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
    condition     = alltrue([for t in var.targets : can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", t.database)) && can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", t.id))])
    error_message = "Target ids and database names must be 1 to 63 characters: ASCII letters, digits, '.', '_' or '-', starting with a letter or digit."
  }
  validation {
    condition     = alltrue([for t in var.targets : contains([for a in var.agents : a.url], t.agentUrl)])
    error_message = "Each target's agentUrl must be the url of one of the agents."
  }
  validation {
    # Objects are named <prefix><database>_<date><extension> whatever the agent: a second target writing the same
    # names would find them taken every night, so the function refuses such a pair (rules.tf).
    condition = length(distinct([
      for t in var.targets : "${t.database}${lookup(local.dump_extensions, t.engine, "")}${lookup(local.compression_extensions, try(coalesce(t.compression.algorithm, "gzip"), "gzip"), "")}"
    ])) == length(var.targets)
    error_message = "No two targets may write the same objects: the same database name with the same engine format and compression (gzip when none is given), even on different agents. Give one of them another compression, or another database name."
  }
  validation {
    condition     = alltrue([for t in var.targets : !t.pointInTime || t.engine == "mysql"])
    error_message = "pointInTime ships MySQL/MariaDB binary logs only: set it on mysql targets alone."
  }
  validation {
    condition     = alltrue([for t in var.targets : contains(["required", "off"], t.encryption)])
    error_message = "A target's encryption must be required or off."
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

variable "agents" {
  type = list(object({
    url             = string
    public_key_pem  = string
    tls_ca_cert_pem = optional(string)
    tls_cert_sha256 = optional(string)
  }))
  description = "The agents the function calls (BACKUP_AGENTS): each one's URL (scheme, internal address, port), the Ed25519 public key (PEM, SPKI) its answers are signed with, and, with https, the CA certificate to trust (tls_ca_cert_pem) or the SHA-256 of its certificate to pin (tls_cert_sha256, 64 hex digits)."
  validation {
    condition     = length(var.agents) > 0 && length(distinct([for a in var.agents : a.url])) == length(var.agents)
    error_message = "agents must list at least one agent, each with a distinct url."
  }
  validation {
    # rules.tf: the URLs the function's parser accepts, a little narrower.
    condition     = alltrue([for a in var.agents : can(regex(local.agent_url_pattern, a.url))])
    error_message = "Each agent's url must be an http(s) origin, http://<host>:<port> with no path, user or query, whose host is an IPv4 address (four numbers from 0 to 255, no leading zeros) or a DNS name (letters and digits joined by single hyphens and dots, the last label beginning with a letter): ${join(", ", [for a in var.agents : a.url if !can(regex(local.agent_url_pattern, a.url))])}."
  }
  validation {
    # The port the function calls must be the one the firewall opens (the scheme's own when none is written).
    condition     = alltrue([for a in var.agents : try(tonumber(coalesce(regex(local.agent_url_pattern, a.url).port, startswith(a.url, "https:") ? "443" : "80")) == var.agent_port, true)])
    error_message = "Each agent's url must name agent_port (${var.agent_port}), the port the firewall opens to the functions; 80 for http and 443 for https when the url names none."
  }
  validation {
    condition     = alltrue([for a in var.agents : can(regex("^-----BEGIN PUBLIC KEY-----\\s*MCowBQYDK2VwAyEA[A-Za-z0-9+/]{43}=\\s*-----END PUBLIC KEY-----\\s*$", a.public_key_pem))])
    error_message = "Each agent's public_key_pem must be an Ed25519 public key in PEM (-----BEGIN PUBLIC KEY-----, SPKI); never the agent's private key."
  }
  validation {
    condition     = alltrue([for a in var.agents : a.tls_cert_sha256 == null || can(regex("^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$", a.tls_cert_sha256))])
    error_message = "An agent's tls_cert_sha256 must be a SHA-256 fingerprint: 64 hexadecimal digits, pairs optionally separated by ':'."
  }
  validation {
    condition     = alltrue([for a in var.agents : a.tls_ca_cert_pem == null || strcontains(coalesce(a.tls_ca_cert_pem, "-"), "-----BEGIN CERTIFICATE-----")])
    error_message = "An agent's tls_ca_cert_pem must be a PEM certificate (-----BEGIN CERTIFICATE-----)."
  }
  validation {
    condition     = alltrue([for a in var.agents : startswith(a.url, "https://") || (a.tls_ca_cert_pem == null && a.tls_cert_sha256 == null)])
    error_message = "tls_ca_cert_pem and tls_cert_sha256 apply to https agents only."
  }
}

variable "object_prefix" {
  type        = string
  description = "Prefix of every backup object name: folders ending in '/', e.g. \"prod/\". Empty for none."
  default     = ""
  validation {
    condition     = can(regex("^([A-Za-z0-9._-]+/)*[A-Za-z0-9._-]*$", var.object_prefix)) && alltrue([for s in split("/", var.object_prefix) : s != "." && s != ".."])
    error_message = "object_prefix must be folders of ASCII letters, digits, '.', '_' or '-', each ending in '/' (no '.' or '..' folder)."
  }
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
  default     = 1200
  validation {
    condition     = var.poll_budget_seconds >= 0 && var.poll_budget_seconds <= 1740 && floor(var.poll_budget_seconds) == var.poll_budget_seconds
    error_message = "poll_budget_seconds must be a whole number from 0 to 1740, leaving the function time to answer within the 1800 s deadline."
  }
}

# --- Retention (GFS): each backup's customTime is the end of the longest class it belongs to ---

variable "retention_daily_days" {
  type        = number
  description = "Days a daily backup is kept (BACKUP_RETENTION_DAILY_DAYS)."
  default     = 7
  validation {
    condition     = var.retention_daily_days >= 1 && var.retention_daily_days <= 31 && floor(var.retention_daily_days) == var.retention_daily_days
    error_message = "retention_daily_days must be a whole number from 1 to 31."
  }
}

variable "retention_weekly_weeks" {
  type        = number
  description = "Weeks the first good backup of each ISO week is kept (BACKUP_RETENTION_WEEKLY_WEEKS); 0 for no weekly copies."
  default     = 4
  validation {
    condition     = var.retention_weekly_weeks >= 0 && var.retention_weekly_weeks <= 104 && floor(var.retention_weekly_weeks) == var.retention_weekly_weeks
    error_message = "retention_weekly_weeks must be a whole number from 0 (no weekly copies) to 104."
  }
}

variable "retention_monthly_months" {
  type        = number
  description = "Months the first good backup of each month is kept (BACKUP_RETENTION_MONTHLY_MONTHS); 0 for no monthly copies."
  default     = 12
  validation {
    condition     = var.retention_monthly_months >= 0 && var.retention_monthly_months <= 120 && floor(var.retention_monthly_months) == var.retention_monthly_months
    error_message = "retention_monthly_months must be a whole number from 0 (no monthly copies) to 120."
  }
}

variable "retention_yearly_years" {
  type        = number
  description = "Years the first good backup of each year is kept (BACKUP_RETENTION_YEARLY_YEARS); 0 for no yearly copies."
  default     = 5
  validation {
    condition     = var.retention_yearly_years >= 0 && var.retention_yearly_years <= 100 && floor(var.retention_yearly_years) == var.retention_yearly_years
    error_message = "retention_yearly_years must be a whole number from 0 (no yearly copies) to 100."
  }
}

variable "shrink_warning_ratio" {
  type        = number
  description = "A backup whose uncompressed size is below this share of the median of its database's last 7 is reported as a warning (BACKUP_SHRINK_WARNING_RATIO); the object is kept."
  default     = 0.5
  validation {
    condition     = var.shrink_warning_ratio >= 0 && var.shrink_warning_ratio <= 1
    error_message = "shrink_warning_ratio must be between 0 and 1."
  }
}

variable "rpo_minutes" {
  type        = number
  description = "The recovery-point target of the pointInTime targets, in minutes (BACKUP_RPO_MINUTES): verify alerts when a database's shipped binary logs reach less recently than this. The logs are kept for restores to a moment within the last retention_daily_days days."
  default     = 15
  validation {
    condition     = var.rpo_minutes >= 1 && var.rpo_minutes <= 1440 && floor(var.rpo_minutes) == var.rpo_minutes
    error_message = "rpo_minutes must be a whole number from 1 to 1440 (a day: the nightly backup bounds the loss to a day already)."
  }
}

variable "restore_url_minutes" {
  type        = number
  description = "Lifetime in minutes of the signed URL a restore hands the agent for the one object it reads (BACKUP_RESTORE_URL_MINUTES). It must outlive the longest restore, its wait behind other restores of the same agent included: a week, V4's longest, by default."
  default     = 10080
  validation {
    condition     = var.restore_url_minutes >= 1 && var.restore_url_minutes <= 10080 && floor(var.restore_url_minutes) == var.restore_url_minutes
    error_message = "restore_url_minutes must be a whole number from 1 to 10080 (V4 signed URLs last a week at most)."
  }
}
