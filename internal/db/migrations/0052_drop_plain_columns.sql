-- Personal data sealed at rest, step 3 of 3: the plain columns, blanked by step 2, go.
ALTER TABLE registry_checks DROP COLUMN query_plain;
ALTER TABLE registry_checks DROP COLUMN extract_plain;

ALTER TABLE notify_messages DROP COLUMN subject_plain;
ALTER TABLE notify_messages DROP COLUMN body_text_plain;
ALTER TABLE notify_messages DROP COLUMN body_html_plain;
ALTER TABLE notify_messages DROP COLUMN body_short_plain;

ALTER TABLE notify_deliveries DROP COLUMN address_plain;

ALTER TABLE notify_inbox DROP COLUMN subject_plain;
ALTER TABLE notify_inbox DROP COLUMN body_plain;

ALTER TABLE notify_outbox DROP COLUMN recipient_plain;
ALTER TABLE notify_outbox DROP COLUMN subject_plain;
ALTER TABLE notify_outbox DROP COLUMN body_plain;
ALTER TABLE notify_outbox DROP COLUMN body_html_plain;
CREATE INDEX notify_outbox_recipient ON notify_outbox (recipient_idx, created_at);
