# Rules of the function's own parser (functions/config) that the validations of variables-*.tf apply to the inputs
# that become its settings, so that a value Terraform accepts never stops the function at start-up.

locals {
  # zod's e-mail rule (z.email()), with which the function reads ALERT_RECIPIENTS and ALERT_SENDER: no accents, no
  # dot at either end of the local part or twice in a row, a top-level domain of two letters or more.
  # test/unit/terraform/validations.test.ts checks that this is zod's pattern, character for character.
  email_pattern = "^(?:[A-Za-z0-9_'+\\-]+\\.)*[A-Za-z0-9_'+\\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\\-]*\\.)+[A-Za-z]{2,}$"

  # An agent's url: an http(s) origin. The function reads it as a WHATWG URL, which refuses an empty host, a port
  # past 65535 and a host ending in a number that is not an IPv4 address. Terraform asks a little more, never
  # less: an IPv4 address in four numbers from 0 to 255 without leading zeros, or a DNS name whose labels are
  # letters and digits joined by single hyphens (so no punycode xn-- label, which the URL parser would decode and
  # may refuse) and whose last label begins with a letter; no IPv6 address, which the IPv4 firewall rules
  # (network.tf) could not admit anyway. variables-backup.tf checks the port.
  agent_url_pattern = join("", [
    "^(?P<scheme>https?)://(?P<host>",
    "(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])",
    "|(?:[A-Za-z0-9](?:-?[A-Za-z0-9])*\\.)*[A-Za-z](?:-?[A-Za-z0-9])*",
    ")(?::(?P<port>[0-9]{1,5}))?$",
  ])

  # The extension of a target's objects (core/formats.ts): the dump's format, then the compression (gzip when none
  # is given). Two targets with the same database name and extension would write the same objects.
  dump_extensions        = { mysql = ".sql", mongodb = ".archive", postgres = ".sql", sqlite = ".sql" }
  compression_extensions = { gzip = ".gz", zstd = ".zst" }
}
