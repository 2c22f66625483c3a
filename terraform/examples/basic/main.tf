# The system this product is for, as an admin would deploy it: a MySQL VM holding the back office's HospitalDB and a
# MongoDB VM holding MDBackoffice, each with its agent (agent/deploy/agent.mysql.example.json and
# agent.mongodb.example.json are their agent.json, with the same target ids and addresses).

terraform {
  required_version = ">= 1.9"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 7.21, < 8.0"
    }
    time = {
      source  = "hashicorp/time"
      version = ">= 0.9, < 1.0"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = "europe-west1"
}

module "db_backup" {
  source = "../.."

  project_id  = var.project_id
  region      = "europe-west1"
  bucket_name = "${var.project_id}-db-backups"

  # Written by ../../scripts/stage-function.sh from the repository's compiled source.
  function_source_zip = "${path.module}/../../.build/function-source.zip"

  # The agent on each database VM, and the key its answers are signed with (the public half of its
  # responseKeyFile, which install.sh --key-only prints on that VM).
  agents = [
    {
      url            = "http://10.132.0.10:8443"
      public_key_pem = file("${path.module}/agent-mysql-public.pem")
    },
    {
      url            = "http://10.132.0.11:8443"
      public_key_pem = file("${path.module}/agent-mongodb-public.pem")
    },
  ]

  # Each id is the id of the target in that agent's agent.json. encryption "required" (the default, said here): each
  # backup is age-encrypted on its VM for the recipients in agent.json — the agent's identity and the admin's offline
  # key, kept off Google Cloud — and refused rather than stored in clear; "off" is the explicit opt-out.
  targets = [
    {
      id          = "HospitalDB"
      database    = "HospitalDB"
      engine      = "mysql"
      agentUrl    = "http://10.132.0.10:8443"
      compression = { algorithm = "zstd", level = 6 }
      encryption  = "required"
    },
    {
      id         = "MDBackoffice"
      database   = "MDBackoffice"
      engine     = "mongodb"
      agentUrl   = "http://10.132.0.11:8443"
      encryption = "required"
    },
  ]

  signing_key_id         = "backup-2025-01"
  signing_public_key_pem = file("${path.module}/signing-public.pem")

  alert_sender     = "backups@example.com"
  alert_recipients = ["admin@example.com"]
  gmail_auth       = "oauth"

  invokers = ["user:admin@example.com"]

  # allow_force_overwrite stays false: nothing can delete or replace a backup, so on-demand force=true runs
  # cannot replace today's. Setting it true grants delete on the bucket so they can; see the module's README.
}
