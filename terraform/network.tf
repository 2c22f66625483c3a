# The functions' way into the VPC (a Serverless VPC Access connector) and the one firewall opening to the agent.

resource "google_vpc_access_connector" "function" {
  project       = var.project_id
  region        = var.region
  name          = "${var.name_prefix}-conn"
  network       = var.network
  ip_cidr_range = var.connector_cidr
  machine_type  = "e2-micro"
  min_instances = 2
  max_instances = 3
}

# Traffic from the functions to private addresses leaves the connector from connector_cidr, so that range
# and nothing else may reach the agent's port, and only on the VMs that carry the agent's tag.
resource "google_compute_firewall" "function_to_agent" {
  project     = var.project_id
  name        = "${var.name_prefix}-allow-agent"
  network     = var.network
  description = "Backup functions (through the VPC connector) to the backup agent."
  direction   = "INGRESS"
  priority    = 1000

  source_ranges = [var.connector_cidr]
  target_tags   = [var.agent_network_tag]

  allow {
    protocol = "tcp"
    ports    = [tostring(var.agent_port)]
  }
}
