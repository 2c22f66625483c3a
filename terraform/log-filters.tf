# The Cloud Logging filters of the alerts that do not depend on Gmail, built from names alone.
# Field names, in Cloud Logging's query language:
# - the functions' own entries: Cloud Run's cloud_run_revision resource, labelled with the service_name, which
#   is the function's name; the function marks every entry the admin must act on with `alerting: true` in its
#   JSON payload.
# - an instance that cannot start or dies: Cloud Run's platform log run.googleapis.com/varlog/system, where the
#   startup probe failures ("Default STARTUP TCP probe failed … The instance was not started.") and memory-limit
#   kills are written at severity ERROR.
# - a failed scheduled call: Cloud Scheduler's own log cloudscheduler.googleapis.com/executions, resource
#   cloud_scheduler_job labelled with job_id, one AttemptFinished entry per attempt, written at severity ERROR
#   with jsonPayload.status (PERMISSION_DENIED for a 403, NOT_FOUND for a 404, DEADLINE_EXCEEDED, …) when the
#   attempt failed.

locals {
  function_services = "resource.labels.service_name=(${join(" OR ", [for name in values(local.function_names) : "\"${name}\""])})"

  log_filters = {
    alerting = join(" AND ", [
      "resource.type=\"cloud_run_revision\"",
      local.function_services,
      "jsonPayload.alerting=true",
    ])
    function_failed = join(" AND ", [
      "resource.type=\"cloud_run_revision\"",
      local.function_services,
      "log_id(\"run.googleapis.com/varlog/system\")",
      "severity>=ERROR",
    ])
    schedule_failed = join(" AND ", [
      "resource.type=\"cloud_scheduler_job\"",
      "resource.labels.job_id=(${join(" OR ", [for name in values(local.job_names) : "\"${name}\""])})",
      "log_id(\"cloudscheduler.googleapis.com/executions\")",
      "jsonPayload.\"@type\"=\"type.googleapis.com/google.cloud.scheduler.logging.AttemptFinished\"",
      "(severity>=ERROR OR (jsonPayload.status:* AND jsonPayload.status!=\"OK\"))",
    ])
  }
}
