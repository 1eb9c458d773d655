-- The management secret of a verified registration, stored as its SHA-256 (hex); '' until verified.
-- The secret itself is shown once to the admin at verification and never stored (issue 7).
-- ADD COLUMN IF NOT EXISTS keeps the migration safe to run twice; existing rows read ''.
ALTER TABLE registrations ${ON_CLUSTER} ADD COLUMN IF NOT EXISTS admin_secret_hash String DEFAULT '' AFTER client_key;
