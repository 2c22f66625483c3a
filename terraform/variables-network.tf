# Inputs of the network between the functions and the agents: the VPC, the functions' way into it, the agents'
# way to Cloud Storage, and the firewall around the agents' port.

variable "network" {
  type        = string
  description = "VPC network of the database VMs, in project_id: its name, its path (projects/<project>/global/networks/<name>) or its self link."
  default     = "default"
  validation {
    # The module creates the functions' subnet (or connector) in project_id, so the network must be there too;
    # Cloud Run's Direct VPC interface takes the network's name only (local.network_name).
    condition     = can(regex(local.network_pattern, var.network)) && coalesce(try(regex(local.network_pattern, var.network).project, null), var.project_id) == var.project_id
    error_message = "network must be a VPC network of project_id (${var.project_id}): its name (e.g. default), projects/${var.project_id}/global/networks/<name>, or its self link."
  }
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
  description = "Unused range in the network for the functions' own subnet (vpc_egress = direct): /26 or larger, as Direct VPC egress asks; the only source the agent's firewall admits. The subnet is named after its range, so a new range makes a new subnet first (it must not overlap the old one); the old one is deleted once Cloud Run has released its addresses."
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
  description = "Private Google Access on the subnet the module creates (vpc_egress = direct), through which the functions reach Google APIs at the addresses of private_google_apis_dns. The database VMs' own subnets are not managed here: turn it on there (see the README)."
  default     = true
}

variable "private_google_apis_dns" {
  type        = bool
  description = "A Cloud DNS private zone for googleapis.com on the network, answering *.googleapis.com with private.googleapis.com (199.36.153.8/30): the only addresses of Cloud Storage the agent's sandbox lets it reach. Applies to every VM of the network. False where the network already has such a zone (Cloud DNS allows one zone per name and network)."
  default     = true
  validation {
    # The functions resolve Google APIs through the network's DNS too: their subnet must then reach these addresses.
    condition     = !var.private_google_apis_dns || var.vpc_egress != "direct" || var.private_google_access
    error_message = "private_google_apis_dns sends the functions' calls to Google APIs to private.googleapis.com, which their subnet reaches only with private_google_access = true."
  }
}

variable "database_cloud_nat" {
  type = object({
    region     = string
    subnetwork = string
  })
  description = "Optional Cloud NAT for the database VMs' subnet ({ region, subnetwork }), so VMs without an external address can install the agent's Debian packages. The agent itself reaches Cloud Storage through Private Google Access, never through NAT. Billed per hour and per GB; null for none."
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
  description = "TCP port the agents listen on, which the firewall opens to the functions: the port of every agent's url."
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
