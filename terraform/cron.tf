# The schedules' cron expressions checked field by field, as Cloud Scheduler's unix-cron and the function's cron
# parser read them: a value out of its field's range, a backwards range or a step of 0 stops the plan
# (a precondition of the scheduler jobs) instead of a function that cannot start.

locals {
  cron_fields = [
    { name = "minute", min = 0, max = 59, names = [], first = 0 },
    { name = "hour", min = 0, max = 23, names = [], first = 0 },
    { name = "day of month", min = 1, max = 31, names = [], first = 1 },
    { name = "month", min = 1, max = 12, names = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], first = 1 },
    { name = "day of week", min = 0, max = 7, names = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], first = 0 },
  ]

  # Each comma-separated item of each field: *, a value or a range, with an optional /step.
  cron_items = {
    for job, cron in local.schedules : job => flatten([
      for i, field in local.cron_fields : [
        for item in split(",", element(concat(regexall("\\S+", cron), ["", "", "", "", ""]), i)) : {
          field = field
          text  = item
          parts = try(regex("^(?:(?P<star>\\*)|(?P<lo>[0-9]+|[A-Za-z]{3})(?:-(?P<hi>[0-9]+|[A-Za-z]{3}))?)(?:/(?P<step>[0-9]+))?$", item), null)
        }
      ]
    ])
  }

  # A value by number or by name (JAN=1, SUN=0); -1 for an unknown name.
  cron_values = {
    for job, items in local.cron_items : job => [
      for item in items : item.parts == null ? null : {
        lo   = item.parts.lo == null ? item.field.min : can(tonumber(item.parts.lo)) ? tonumber(item.parts.lo) : try(index(item.field.names, upper(item.parts.lo)) + item.field.first, -1)
        hi   = item.parts.hi == null ? (item.parts.lo == null ? item.field.max : null) : can(tonumber(item.parts.hi)) ? tonumber(item.parts.hi) : try(index(item.field.names, upper(item.parts.hi)) + item.field.first, -1)
        step = item.parts.step == null ? 1 : tonumber(item.parts.step)
      }
    ]
  }

  # For each job, what is wrong with its cron: empty when Cloud Scheduler and the function both accept it.
  cron_errors = {
    for job, items in local.cron_items : job => concat(
      length(regexall("\\S+", local.schedules[job])) == 5 ? [] : ["a cron expression has 5 fields"],
      [
        # HCL's && does not short-circuit: an item that did not parse (null) fails inside try.
        for i, item in items : "${item.field.name}: ${item.text == "" ? "(missing)" : item.text} is not ${item.field.min}-${item.field.max}" if !try(
          local.cron_values[job][i].lo >= item.field.min && local.cron_values[job][i].lo <= item.field.max
          && (local.cron_values[job][i].hi == null ? true : local.cron_values[job][i].hi >= local.cron_values[job][i].lo && local.cron_values[job][i].hi <= item.field.max)
          && local.cron_values[job][i].step >= 1,
          false,
        )
      ],
    )
  }
}
