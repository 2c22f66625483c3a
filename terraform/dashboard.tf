# Something to look at: per database, each night's backup size, duration and outcome over time, so a shrinking
# or slowing backup shows at a glance. Log-based metrics count the backup function's own entries.

locals {
  backup_entries = join(" AND ", [
    "resource.type=\"cloud_run_revision\"",
    "resource.labels.service_name=\"${local.function_names.backup}\"",
  ])
  # What each settled backup logs (backup.<outcome>, BACKUP_OUTCOMES of functions/run/report.ts but `planned`); the
  # dashboard groups by database and by outcome. A `warning` is a backup kept but smaller than usual.
  backup_outcomes = ["succeeded", "warning", "exists", "failed", "skipped", "running"]
  # The outcomes that wrote a new object, with its size and the run's duration.
  backup_written = ["succeeded", "warning"]

  backup_metrics = {
    size = {
      description = "Size of each backup object written, by database (bytes, compressed)."
      field       = "jsonPayload.bytes"
      unit        = "By"
    }
    duration = {
      description = "Duration of each backup that wrote an object, by database (milliseconds)."
      field       = "jsonPayload.durationMs"
      unit        = "ms"
    }
  }
}

resource "google_logging_metric" "backup" {
  for_each = local.backup_metrics

  project     = var.project_id
  name        = "${var.name_prefix}-backup-${each.key}"
  description = each.value.description
  filter      = "${local.backup_entries} AND jsonPayload.event=(${join(" OR ", [for o in local.backup_written : "\"backup.${o}\""])})"

  value_extractor  = "EXTRACT(${each.value.field})"
  label_extractors = { database = "EXTRACT(labels.database)" }

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "DISTRIBUTION"
    unit        = each.value.unit
    labels {
      key        = "database"
      value_type = "STRING"
    }
  }

  # Powers of two from 1 up to 2^64: bytes and milliseconds alike, with no size a backup can outgrow.
  bucket_options {
    exponential_buckets {
      num_finite_buckets = 64
      growth_factor      = 2
      scale              = 1
    }
  }
}

resource "google_logging_metric" "backup_outcomes" {
  project     = var.project_id
  name        = "${var.name_prefix}-backup-outcomes"
  description = "Backups settled, by database and outcome (succeeded, warning, exists, failed, skipped, running)."
  filter      = "${local.backup_entries} AND jsonPayload.event=(${join(" OR ", [for o in local.backup_outcomes : "\"backup.${o}\""])})"

  label_extractors = {
    database = "EXTRACT(labels.database)"
    outcome  = "REGEXP_EXTRACT(jsonPayload.event, \"^backup[.](.+)$\")"
  }

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
    labels {
      key        = "database"
      value_type = "STRING"
    }
    labels {
      key        = "outcome"
      value_type = "STRING"
    }
  }
}

locals {
  # One chart per metric, one line (or bar) per database, one point per day.
  dashboard_charts = [
    { title = "Backup size per database (bytes)", metric = google_logging_metric.backup["size"].name, plot = "LINE", aligner = "ALIGN_DELTA", reducer = "REDUCE_PERCENTILE_50", by = ["database"] },
    { title = "Backup duration per database (ms)", metric = google_logging_metric.backup["duration"].name, plot = "LINE", aligner = "ALIGN_DELTA", reducer = "REDUCE_PERCENTILE_50", by = ["database"] },
    { title = "Each night's outcome per database", metric = google_logging_metric.backup_outcomes.name, plot = "STACKED_BAR", aligner = "ALIGN_SUM", reducer = "REDUCE_SUM", by = ["database", "outcome"] },
  ]
}

resource "google_monitoring_dashboard" "backups" {
  project = var.project_id
  dashboard_json = jsonencode({
    displayName = "Database backups (${var.name_prefix})"
    mosaicLayout = {
      columns = 48
      tiles = concat(
        [for i, chart in local.dashboard_charts : merge(
          # The API leaves a zero position out of what it answers, so a zero sent would show as a change in every
          # plan: only the positions that are not zero are sent.
          { for axis, at in { xPos = (i % 2) * 24, yPos = floor(i / 2) * 16 } : axis => at if at != 0 },
          {
            width  = 24
            height = 16
            widget = {
              title = chart.title
              xyChart = {
                dataSets = [{
                  plotType = chart.plot
                  timeSeriesQuery = {
                    timeSeriesFilter = {
                      filter = "metric.type=\"logging.googleapis.com/user/${chart.metric}\" resource.type=\"cloud_run_revision\""
                      aggregation = {
                        alignmentPeriod    = "86400s"
                        perSeriesAligner   = chart.aligner
                        crossSeriesReducer = chart.reducer
                        groupByFields      = [for label in chart.by : "metric.label.\"${label}\""]
                      }
                    }
                  }
                }]
              }
            }
        })],
        [{
          xPos   = 24
          yPos   = 16
          width  = 24
          height = 16
          widget = {
            title     = "Entries that needed the admin"
            logsPanel = { filter = local.log_filters.alerting, resourceNames = ["projects/${var.project_id}"] }
          }
        }],
      )
    }
  })
}
