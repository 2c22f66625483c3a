# Terraform and provider versions this module is written against.

terraform {
  # 1.9: a variable's validation may read other variables (every target's agentUrl is one of the agents).
  required_version = ">= 1.9"

  required_providers {
    google = {
      source = "hashicorp/google"
      # 7.21 brought Direct VPC egress to google_cloudfunctions2_function (direct_vpc_network_interface);
      # 7.0 made a bucket's retention_period a string, so periods beyond 68 years no longer overflow.
      version = ">= 7.21, < 8.0"
    }
    # time_sleep: the wait for IAM grants to take effect before the first build (iam.tf).
    time = {
      source  = "hashicorp/time"
      version = ">= 0.9, < 1.0"
    }
  }
}
