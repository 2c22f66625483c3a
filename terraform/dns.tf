# The agents' way to Cloud Storage: their sandbox (agent/deploy/db-backup-agent.service) admits only Private
# Google Access's fixed addresses, since storage.googleapis.com's public ones are many and change. This private
# zone makes every *.googleapis.com name resolve to private.googleapis.com (199.36.153.8/30) on the network, the
# configuration Google documents for Private Google Access; the VMs' subnet must have Private Google Access on.
# The functions resolve through the same zone and reach those addresses through their subnet (Direct VPC egress
# sends them through the VPC with private-ranges-only).

locals {
  private_google_apis_addresses = ["199.36.153.8", "199.36.153.9", "199.36.153.10", "199.36.153.11"]
}

resource "google_dns_managed_zone" "googleapis" {
  count = var.private_google_apis_dns ? 1 : 0

  project     = var.project_id
  name        = "${var.name_prefix}-googleapis"
  dns_name    = "googleapis.com."
  description = "Google APIs through Private Google Access (private.googleapis.com), for the database backup agents."
  visibility  = "private"
  labels      = var.labels

  private_visibility_config {
    networks {
      network_url = local.network_id
    }
  }
}

resource "google_dns_record_set" "private_googleapis" {
  count = var.private_google_apis_dns ? 1 : 0

  project      = var.project_id
  managed_zone = google_dns_managed_zone.googleapis[0].name
  name         = "private.googleapis.com."
  type         = "A"
  ttl          = 300
  rrdatas      = local.private_google_apis_addresses
}

resource "google_dns_record_set" "googleapis" {
  count = var.private_google_apis_dns ? 1 : 0

  project      = var.project_id
  managed_zone = google_dns_managed_zone.googleapis[0].name
  name         = "*.googleapis.com."
  type         = "CNAME"
  ttl          = 300
  rrdatas      = ["private.googleapis.com."]
}
