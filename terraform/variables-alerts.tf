# Inputs for signing and alerts: the key the function signs with and who hears of failures, by which path.

variable "signing_key_id" {
  type        = string
  description = "Key id the function signs with; the agent trusts the public key under this id. A new id per key rotation."
  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", var.signing_key_id))
    error_message = "signing_key_id must be 1 to 63 characters: ASCII letters, digits, '.', '_' or '-', starting with a letter or digit."
  }
}

variable "signing_public_key_pem" {
  type        = string
  description = "The Ed25519 public key (PEM, SPKI) of the signing key, echoed in the outputs for the agent's configuration. The private key goes to Secret Manager out of band, never through Terraform."
  validation {
    condition     = can(regex("^-----BEGIN PUBLIC KEY-----\\s*MCowBQYDK2VwAyEA[A-Za-z0-9+/]{43}=\\s*-----END PUBLIC KEY-----\\s*$", var.signing_public_key_pem))
    error_message = "signing_public_key_pem must be an Ed25519 public key in PEM (-----BEGIN PUBLIC KEY-----, SPKI); a private key must never be passed here."
  }
}

variable "retired_signing_public_keys" {
  type        = map(string)
  description = "Public keys (PEM, SPKI) of the signing keys used before the current one, by their key id: the backups they attested stay proven, and restorable, after a rotation (BACKUP_RETIRED_SIGNING_KEYS)."
  default     = {}
  validation {
    condition = alltrue([
      for id, pem in var.retired_signing_public_keys :
      can(regex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", id)) && can(regex("^-----BEGIN PUBLIC KEY-----\\s*MCowBQYDK2VwAyEA[A-Za-z0-9+/]{43}=\\s*-----END PUBLIC KEY-----\\s*$", pem))
    ])
    error_message = "retired_signing_public_keys must map key ids (as signing_key_id) to Ed25519 public keys in PEM."
  }
  validation {
    condition     = !contains(keys(var.retired_signing_public_keys), var.signing_key_id)
    error_message = "retired_signing_public_keys must not hold signing_key_id, the current key's id."
  }
}

variable "alert_recipients" {
  type        = list(string)
  description = "E-mail addresses that receive the function's failure alerts (Gmail API) and, unless monitoring_emails is set, Cloud Monitoring's."
  validation {
    # rules.tf: the function's own rule for an address.
    condition     = length(var.alert_recipients) > 0 && alltrue([for a in var.alert_recipients : can(regex(local.email_pattern, a))])
    error_message = "alert_recipients must list at least one e-mail address, each one the function accepts (ASCII letters, digits, . _ ' + - before the @, no dot at either end or twice in a row; a domain ending in two letters or more): ${jsonencode([for a in var.alert_recipients : a if !can(regex(local.email_pattern, a))])} are not."
  }
}

variable "alert_sender" {
  type        = string
  description = "The Gmail address the alerts are sent from (the account the Gmail credentials belong to, or the user impersonated through domain-wide delegation)."
  validation {
    condition     = can(regex(local.email_pattern, var.alert_sender))
    error_message = "alert_sender must be an e-mail address the function accepts (ASCII letters, digits, . _ ' + - before the @, no dot at either end or twice in a row; a domain ending in two letters or more)."
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
  description = "E-mail addresses of the Cloud Monitoring channel that hears of failures even when Gmail fails. Null uses alert_recipients; an empty list sends nothing by e-mail, which needs monitoring_notification_channels."
  default     = null
  validation {
    # With no channel at all the alert policies would reach nobody.
    condition     = var.monitoring_emails == null || try(alltrue([for a in var.monitoring_emails : can(regex(local.email_pattern, a))]) && (length(var.monitoring_emails) > 0 || length(var.monitoring_notification_channels) > 0), false)
    error_message = "monitoring_emails must be null (use alert_recipients) or e-mail addresses; an empty list only with monitoring_notification_channels, so that failures reach someone."
  }
}

variable "monitoring_notification_channels" {
  type        = list(string)
  description = "Cloud Monitoring notification channels that hear of failures beside the monitoring_emails: Slack, webhooks, PagerDuty, Pub/Sub or any other type, made outside Terraform (so their tokens stay out of its state) and given by id, projects/<project>/notificationChannels/<number>."
  default     = []
  validation {
    condition     = alltrue([for c in var.monitoring_notification_channels : can(regex("^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/notificationChannels/[0-9]+$", c))])
    error_message = "monitoring_notification_channels must be channel ids: projects/<project>/notificationChannels/<number> (gcloud beta monitoring channels list --format='value(name)')."
  }
}
