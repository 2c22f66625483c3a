# The example planned and applied against mocked providers, with the files the guide has the admin make first
# (signing-public.pem, agent-mysql-public.pem, agent-mongodb-public.pem, ../../.build/function-source.zip): it
# deploys the two-VM system, and every output the guide reads is there. Run from this folder:
# terraform init -backend=false && terraform test. test/integration/terraform/validate.test.ts runs it in npm test.

mock_provider "google" {
  mock_resource "google_service_account" {
    defaults = {
      email  = "account@my-project-id.iam.gserviceaccount.com"
      member = "serviceAccount:account@my-project-id.iam.gserviceaccount.com"
      name   = "projects/my-project-id/serviceAccounts/account@my-project-id.iam.gserviceaccount.com"
    }
  }
  mock_resource "google_project_iam_custom_role" {
    defaults = {
      name = "projects/my-project-id/roles/db_backup_writer"
    }
  }
}
mock_provider "time" {}

variables {
  project_id = "my-project-id"
}

run "plan" {
  command = plan

  assert {
    condition     = module.db_backup.bucket_name == "my-project-id-db-backups"
    error_message = "The bucket is named after the project, as the agents' example configurations expect."
  }
}

run "outputs" {
  command = apply

  assert {
    condition     = keys(output.agent_config) == ["http://10.132.0.10:8443", "http://10.132.0.11:8443"]
    error_message = "One agent.json fragment per database VM."
  }
  assert {
    condition     = output.agent_config["http://10.132.0.10:8443"].listen == { host = "10.132.0.10", port = 8443 } && keys(output.agent_config["http://10.132.0.11:8443"].trustedKeys) == ["backup-2025-01"]
    error_message = "Each fragment names its VM's address and the signing key's id."
  }
  assert {
    condition     = output.agent_upload_buckets == ["my-project-id-db-backups"] && output.agent_network_tag == "db-backup-agent"
    error_message = "The bucket and the network tag the guide reads."
  }
  assert {
    condition     = toset([output.build_service_account, output.function_service_account, output.scheduler_service_account, output.agent_service_account]) == toset(["account@my-project-id.iam.gserviceaccount.com"])
    error_message = "The service accounts the guide grants roles on are passed on."
  }
  assert {
    condition     = keys(output.secret_ids) == ["BACKUP_SIGNING_KEY", "GMAIL_CREDENTIALS"] && output.secret_ids["GMAIL_CREDENTIALS"] == "db-backup-gmail-credentials"
    error_message = "The two secrets the guide fills."
  }
}
