# The bucket's customer-managed key, when kms_key_name is set: Cloud Storage's own service agent of the project
# encrypts and decrypts with it, so it alone is granted the key's use. The backups are already age-encrypted on the
# database VM; this key is a second layer the admin controls (and can disable) in Cloud KMS.

data "google_storage_project_service_account" "gcs" {
  count   = var.kms_key_name == null ? 0 : 1
  project = var.project_id
}

resource "google_kms_crypto_key_iam_member" "storage_service_agent" {
  count         = var.kms_key_name == null ? 0 : 1
  crypto_key_id = var.kms_key_name
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = data.google_storage_project_service_account.gcs[0].member
}
