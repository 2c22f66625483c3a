# The example's only input: which project to deploy into.

variable "project_id" {
  type        = string
  description = "The Google Cloud project to deploy into."
}
