# The module planned and applied against mocked providers (no project, no credentials, no registry): what each
# choice of network, retention and alerting creates, the plan stopping on inputs the function would refuse, and
# the outputs the guide reads. Run from terraform/ after scripts/stage-function.sh (the zip must exist):
# terraform init -backend=false && terraform test. test/integration/terraform/validate.test.ts runs it in npm test.

# Computed values the provider itself checks when they are used elsewhere (IAM members, account and role names) get
# the shapes Google gives them; the rest are the mock's own.
mock_provider "google" {
  mock_resource "google_service_account" {
    defaults = {
      email  = "account@my-project-1.iam.gserviceaccount.com"
      member = "serviceAccount:account@my-project-1.iam.gserviceaccount.com"
      name   = "projects/my-project-1/serviceAccounts/account@my-project-1.iam.gserviceaccount.com"
    }
  }
  mock_resource "google_project_iam_custom_role" {
    defaults = {
      name = "projects/my-project-1/roles/db_backup_writer"
    }
  }
  mock_data "google_storage_project_service_account" {
    defaults = {
      email_address = "service-123456789@gs-project-accounts.iam.gserviceaccount.com"
      member        = "serviceAccount:service-123456789@gs-project-accounts.iam.gserviceaccount.com"
    }
  }
  mock_resource "google_monitoring_dashboard" {
    defaults = {
      id = "projects/123456789/dashboards/0123-abcd"
    }
  }
}
mock_provider "time" {}


variables {
  project_id             = "my-project-1"
  region                 = "europe-west1"
  bucket_name            = "my-project-1-db-backups"
  function_source_zip    = ".build/function-source.zip"
  signing_key_id         = "backup-2025-01"
  signing_public_key_pem = <<-EOT
    -----BEGIN PUBLIC KEY-----
    MCowBQYDK2VwAyEAh+gaZskRA87iA1zPXdezQpw7TwPMe5NzcBvV1He7FLU=
    -----END PUBLIC KEY-----
  EOT
  alert_sender           = "backups@example.com"
  alert_recipients       = ["admin@example.com"]
  agents = [
    {
      url            = "http://10.132.0.10:8443"
      public_key_pem = <<-EOT
        -----BEGIN PUBLIC KEY-----
        MCowBQYDK2VwAyEA9u6NtnnUxmJRy5GemiBJ4E7AJL6uw18jJFpkK15su8A=
        -----END PUBLIC KEY-----
      EOT
    },
    {
      url            = "http://10.132.0.11:8443"
      public_key_pem = <<-EOT
        -----BEGIN PUBLIC KEY-----
        MCowBQYDK2VwAyEAiv+8kbmOirbcWMKNRxZ45tBWvd24yfGgKcuTYRm/W1c=
        -----END PUBLIC KEY-----
      EOT
    },
  ]
  targets = [
    { id = "HospitalDB", database = "HospitalDB", engine = "mysql", agentUrl = "http://10.132.0.10:8443", compression = { algorithm = "zstd", level = 6 } },
    { id = "MDBackoffice", database = "MDBackoffice", engine = "mongodb", agentUrl = "http://10.132.0.11:8443" },
  ]
}

run "defaults" {
  command = plan

  assert {
    condition     = length(google_storage_bucket.backups.encryption) == 0 && length(google_kms_crypto_key_iam_member.storage_service_agent) == 0
    error_message = "No customer-managed key unless one is given: Google-managed encryption, beside the agents' age."
  }
  assert {
    condition     = length(google_compute_subnetwork.function) == 1 && length(google_vpc_access_connector.function) == 0
    error_message = "Direct VPC egress is the default: a subnet of the functions' own, no connector."
  }
  assert {
    condition     = google_compute_subnetwork.function[0].name == "db-backup-fn-10-8-0-0-26" && google_compute_subnetwork.function[0].private_ip_google_access
    error_message = "The functions' subnet is named after its range and has Private Google Access."
  }
  assert {
    condition     = google_compute_firewall.function_to_agent.source_ranges == toset(["10.8.0.0/26"]) && one([for rule in google_compute_firewall.function_to_agent.allow : rule.ports]) == tolist(["8443"])
    error_message = "The agents' port admits the functions' subnet alone."
  }
  assert {
    condition     = google_cloudfunctions2_function.function["backup"].service_config[0].direct_vpc_network_interface[0].network == "default"
    error_message = "Cloud Run is handed the network by name."
  }
  assert {
    condition     = length(google_dns_managed_zone.googleapis) == 1 && google_dns_record_set.googleapis[0].rrdatas == tolist(["private.googleapis.com."])
    error_message = "The private zone sends Google APIs to private.googleapis.com by default."
  }
  assert {
    condition     = one([for n in google_dns_managed_zone.googleapis[0].private_visibility_config[0].networks : n.network_url]) == "projects/my-project-1/global/networks/default"
    error_message = "The zone serves the database VMs' network."
  }
  assert {
    condition     = length(google_compute_router_nat.database) == 0 && length(google_compute_router.database) == 0
    error_message = "No Cloud NAT unless asked for."
  }
  assert {
    condition     = google_storage_bucket.backups.versioning[0].enabled && length(google_storage_bucket.backups.retention_policy) == 0
    error_message = "The bucket keeps versions and has no retention policy by default."
  }
  assert {
    condition     = time_sleep.grants_applied.create_duration == "120s"
    error_message = "The functions wait two minutes after the grants."
  }
  assert {
    condition     = alltrue([for tile in jsondecode(google_monitoring_dashboard.backups.dashboard_json).mosaicLayout.tiles : !contains(values({ for axis in ["xPos", "yPos"] : axis => lookup(tile, axis, 1) }), 0)])
    error_message = "No dashboard tile sends a zero position, which the API would drop and every plan would show again."
  }
  assert {
    condition     = length(google_monitoring_alert_policy.log["alerting"].notification_channels) == 1
    error_message = "The alert policies notify the alert recipients' e-mail channel."
  }
  assert {
    condition     = length(google_cloud_scheduler_job.function) == 5 && google_cloud_scheduler_job.function["backup"].time_zone == "UTC" && google_cloud_scheduler_job.function["binlogs"].schedule == "*/5 * * * *"
    error_message = "Five scheduled jobs (the binary-log shipping's every 5 minutes), in the default time zone, the function's own (UTC)."
  }
}

run "connector_egress" {
  command = plan

  variables {
    vpc_egress     = "connector"
    connector_cidr = "10.9.0.0/28"
    network        = "https://www.googleapis.com/compute/v1/projects/my-project-1/global/networks/backoffice"
  }

  assert {
    condition     = length(google_compute_subnetwork.function) == 0 && google_vpc_access_connector.function[0].ip_cidr_range == "10.9.0.0/28"
    error_message = "A connector on its range replaces the subnet."
  }
  assert {
    condition     = google_vpc_access_connector.function[0].network == "backoffice" && google_compute_firewall.deny_agent.network == "backoffice"
    error_message = "A self link is read as the network's name."
  }
  assert {
    condition     = google_compute_firewall.function_to_agent.source_ranges == toset(["10.9.0.0/28"])
    error_message = "The agents' port admits the connector's range."
  }
  assert {
    condition     = google_cloudfunctions2_function.function["backup"].service_config[0].vpc_connector_egress_settings == "PRIVATE_RANGES_ONLY" && length(google_cloudfunctions2_function.function["backup"].service_config[0].direct_vpc_network_interface) == 0
    error_message = "The functions use the connector for private ranges only."
  }
}

run "cloud_nat_and_own_dns_zone" {
  command = plan

  variables {
    database_cloud_nat      = { region = "europe-west1", subnetwork = "db-subnet" }
    private_google_apis_dns = false
  }

  assert {
    condition     = one([for s in google_compute_router_nat.database[0].subnetwork : s.name]) == "db-subnet" && google_compute_router.database[0].region == "europe-west1"
    error_message = "Cloud NAT serves the database VMs' subnet."
  }
  assert {
    condition     = length(google_dns_managed_zone.googleapis) == 0 && length(google_dns_record_set.googleapis) == 0
    error_message = "No zone where the admin has one."
  }
}

run "long_retention_and_channels" {
  command = plan

  variables {
    retention_period_days            = 36500
    monitoring_emails                = []
    monitoring_notification_channels = ["projects/my-project-1/notificationChannels/123", "projects/my-project-1/notificationChannels/456"]
  }

  assert {
    condition     = google_storage_bucket.backups.retention_policy[0].retention_period == "3153600000" && !google_storage_bucket.backups.versioning[0].enabled
    error_message = "A 100-year retention policy is sent whole, and turns versioning off."
  }
  assert {
    condition     = length(google_monitoring_notification_channel.email) == 0 && google_monitoring_alert_policy.log["schedule_failed"].notification_channels == tolist(["projects/my-project-1/notificationChannels/123", "projects/my-project-1/notificationChannels/456"])
    error_message = "The admin's own channels alone are notified."
  }
}

run "customer_managed_key" {
  command = plan

  variables {
    kms_key_name = "projects/my-project-1/locations/europe/keyRings/backups/cryptoKeys/bucket"
  }

  assert {
    condition     = google_storage_bucket.backups.encryption[0].default_kms_key_name == var.kms_key_name
    error_message = "The bucket encrypts with the admin's key."
  }
  assert {
    condition     = google_kms_crypto_key_iam_member.storage_service_agent[0].crypto_key_id == var.kms_key_name && google_kms_crypto_key_iam_member.storage_service_agent[0].role == "roles/cloudkms.cryptoKeyEncrypterDecrypter" && google_kms_crypto_key_iam_member.storage_service_agent[0].member == "serviceAccount:service-123456789@gs-project-accounts.iam.gserviceaccount.com"
    error_message = "Cloud Storage's service agent, and it alone, may encrypt and decrypt with the key."
  }
  assert {
    condition     = strcontains(google_cloudfunctions2_function.function["backup"].service_config[0].environment_variables.BACKUP_TARGETS, "\"encryption\":\"required\"")
    error_message = "Every target is encrypted unless the admin opts out."
  }
}

run "refuses_a_key_that_is_not_a_key_name" {
  command = plan

  variables {
    kms_key_name = "bucket-key"
  }

  expect_failures = [var.kms_key_name]
}

run "refuses_a_cron_cloud_scheduler_would_refuse" {
  command = plan

  variables {
    backup_schedule = "61 2 * * *"
  }

  expect_failures = [google_cloud_scheduler_job.function["backup"]]
}

run "refuses_two_targets_writing_the_same_objects" {
  command = plan

  variables {
    targets = [
      { id = "a", database = "HospitalDB", engine = "mysql", agentUrl = "http://10.132.0.10:8443" },
      { id = "b", database = "HospitalDB", engine = "postgres", agentUrl = "http://10.132.0.11:8443" },
    ]
  }

  expect_failures = [var.targets]
}

run "refuses_an_address_the_function_refuses" {
  command = plan

  variables {
    alert_recipients = ["josé@example.com"]
  }

  expect_failures = [var.alert_recipients]
}

run "refuses_an_agent_port_past_65535" {
  command = plan

  variables {
    agents = [
      {
        url            = "http://10.132.0.10:70000"
        public_key_pem = <<-EOT
          -----BEGIN PUBLIC KEY-----
          MCowBQYDK2VwAyEA9u6NtnnUxmJRy5GemiBJ4E7AJL6uw18jJFpkK15su8A=
          -----END PUBLIC KEY-----
        EOT
      },
    ]
    targets = [{ id = "HospitalDB", database = "HospitalDB", engine = "mysql", agentUrl = "http://10.132.0.10:70000" }]
  }

  expect_failures = [var.agents]
}

run "refuses_another_projects_network" {
  command = plan

  variables {
    network = "projects/other-project/global/networks/default"
  }

  expect_failures = [var.network]
}

run "outputs" {
  command = apply

  assert {
    condition     = output.agent_config["http://10.132.0.10:8443"].listen == { host = "10.132.0.10", port = 8443 } && output.agent_config["http://10.132.0.11:8443"].publicUrl == "http://10.132.0.11:8443"
    error_message = "Each agent's fragment names the address it listens on and the url the function calls."
  }
  assert {
    condition     = output.agent_config["http://10.132.0.10:8443"].trustedKeys == { "backup-2025-01" = var.signing_public_key_pem } && output.agent_trusted_keys == { "backup-2025-01" = var.signing_public_key_pem }
    error_message = "The trusted key is in agent.json's own shape: the key id, then the PEM."
  }
  assert {
    condition     = output.agent_config["http://10.132.0.11:8443"].uploads == { buckets = ["my-project-1-db-backups"] } && output.bucket_name == "my-project-1-db-backups"
    error_message = "Each agent may upload into the backup bucket."
  }
  assert {
    condition     = keys(output.function_urls) == ["backup", "binlogs", "doctor", "list", "restore", "retention", "status", "verify"] && output.backup_function_url == output.function_urls["backup"]
    error_message = "Every function's URL is an output."
  }
  assert {
    condition     = output.dashboard_url == "https://console.cloud.google.com/monitoring/dashboards/custom/0123-abcd?project=my-project-1"
    error_message = "The dashboard's link opens it in the project."
  }
}
