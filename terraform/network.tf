# The functions' way into the VPC (Direct VPC egress on a subnet of their own, or a Serverless VPC Access
# connector), the firewall around the agent's port, and optionally Cloud NAT for the database VM.

# Direct VPC egress gives each function instance an address from this subnet; nothing else runs in it, so its
# range names the functions exactly. Private Google Access is on because the module manages the subnet.
resource "google_compute_subnetwork" "function" {
  count = var.vpc_egress == "direct" ? 1 : 0

  project                  = var.project_id
  region                   = var.region
  name                     = local.function_subnet_name
  network                  = local.network_name
  ip_cidr_range            = var.function_subnet_cidr
  private_ip_google_access = var.private_google_access

  # Cloud Run keeps the addresses of a subnet it served for a while after the functions leave it (up to a few
  # hours), and the subnet cannot be deleted meanwhile. Named after its range, a new range is a new subnet made
  # first, so the functions move and only the old subnet's deletion waits; a failed deletion is retried by the
  # next apply.
  lifecycle {
    create_before_destroy = true
  }
}

resource "google_vpc_access_connector" "function" {
  count = var.vpc_egress == "connector" ? 1 : 0

  project       = var.project_id
  region        = var.region
  name          = "${var.name_prefix}-conn"
  network       = local.network_name
  ip_cidr_range = var.connector_cidr
  machine_type  = "e2-micro"
  min_instances = 2
  max_instances = 3
}

resource "google_compute_firewall" "function_to_agent" {
  project     = var.project_id
  name        = "${var.name_prefix}-allow-agent"
  network     = local.network_name
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
  network     = local.network_name
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

# Opt-in: a way out for database VMs without an external address, which install.sh needs to fetch the agent's
# Debian packages. The agent never uses it: its sandbox admits only Private Google Access's addresses for Cloud
# Storage (dns.tf), which the VMs' subnet reaches with Private Google Access on (the README shows the command).
# Billed per hour and per GB.
resource "google_compute_router" "database" {
  count = var.database_cloud_nat == null ? 0 : 1

  project = var.project_id
  region  = var.database_cloud_nat.region
  name    = "${var.name_prefix}-nat-router"
  network = local.network_name
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
