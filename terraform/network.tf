# The functions' way into the VPC (Direct VPC egress on a subnet of their own, or a Serverless VPC Access
# connector), the firewall around the agent's port, and optionally Cloud NAT for the database VM.

# Direct VPC egress gives each function instance an address from this subnet; nothing else runs in it, so its
# range names the functions exactly. Private Google Access is on because the module manages the subnet.
resource "google_compute_subnetwork" "function" {
  count = var.vpc_egress == "direct" ? 1 : 0

  project                  = var.project_id
  region                   = var.region
  name                     = "${var.name_prefix}-fn"
  network                  = var.network
  ip_cidr_range            = var.function_subnet_cidr
  private_ip_google_access = var.private_google_access
}

resource "google_vpc_access_connector" "function" {
  count = var.vpc_egress == "connector" ? 1 : 0

  project       = var.project_id
  region        = var.region
  name          = "${var.name_prefix}-conn"
  network       = var.network
  ip_cidr_range = var.connector_cidr
  machine_type  = "e2-micro"
  min_instances = 2
  max_instances = 3
}

resource "google_compute_firewall" "function_to_agent" {
  project     = var.project_id
  name        = "${var.name_prefix}-allow-agent"
  network     = var.network
  description = "Backup functions to the backup agent."
  direction   = "INGRESS"
  priority    = var.agent_firewall_priority

  source_ranges = [local.function_egress_range]
  target_tags   = [var.agent_network_tag]

  allow {
    protocol = "tcp"
    ports    = [tostring(var.agent_port)]
  }
}

# Evaluated right after the rule above and long before default-allow-internal (65534), which admits the whole
# network: every other source is refused the agent's port, so only the functions reach the agent.
resource "google_compute_firewall" "deny_agent" {
  project     = var.project_id
  name        = "${var.name_prefix}-deny-agent"
  network     = var.network
  description = "Nothing but the backup functions reaches the backup agent."
  direction   = "INGRESS"
  priority    = var.agent_firewall_priority + 1

  source_ranges = ["0.0.0.0/0"]
  target_tags   = [var.agent_network_tag]

  deny {
    protocol = "tcp"
    ports    = [tostring(var.agent_port)]
  }
}

# Opt-in: the agent uploads to storage.googleapis.com, which a VM without an external address reaches through
# Private Google Access on its subnet (free; the module does not manage that subnet, so the README shows the
# command) or through this Cloud NAT, which works without touching the subnet but bills per hour and per GB.
resource "google_compute_router" "database" {
  count = var.database_cloud_nat == null ? 0 : 1

  project = var.project_id
  region  = var.database_cloud_nat.region
  name    = "${var.name_prefix}-nat-router"
  network = var.network
}

resource "google_compute_router_nat" "database" {
  count = var.database_cloud_nat == null ? 0 : 1

  project                            = var.project_id
  region                             = var.database_cloud_nat.region
  name                               = "${var.name_prefix}-nat"
  router                             = google_compute_router.database[0].name
  nat_ip_allocate_option             = "AUTO_ONLY"
  source_subnetwork_ip_ranges_to_nat = "LIST_OF_SUBNETWORKS"

  subnetwork {
    name                    = var.database_cloud_nat.subnetwork
    source_ip_ranges_to_nat = ["ALL_IP_RANGES"]
  }
}
