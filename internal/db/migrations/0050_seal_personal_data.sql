-- Personal data sealed at rest (internal/seal), step 1 of 3: the plain columns of personal
-- data move aside (*_plain), and sealed columns take their names. Step 2 (0051, in Go: it
-- needs the data key) seals every row into the new columns and blanks the plain ones; step 3
-- (0052) drops the plain columns. A sealed column is a nullable BLOB holding what
-- internal/seal writes: a short header (format, key id), the Kuznyechik-MGM ciphertext and tag.
ALTER TABLE registry_checks RENAME COLUMN query TO query_plain;
ALTER TABLE registry_checks RENAME COLUMN extract TO extract_plain;
ALTER TABLE registry_checks ADD COLUMN query {{blob}};
ALTER TABLE registry_checks ADD COLUMN extract {{blob}};

ALTER TABLE notify_messages RENAME COLUMN subject TO subject_plain;
ALTER TABLE notify_messages RENAME COLUMN body_text TO body_text_plain;
ALTER TABLE notify_messages RENAME COLUMN body_html TO body_html_plain;
ALTER TABLE notify_messages RENAME COLUMN body_short TO body_short_plain;
ALTER TABLE notify_messages ADD COLUMN subject {{blob}};
ALTER TABLE notify_messages ADD COLUMN body_text {{blob}};
ALTER TABLE notify_messages ADD COLUMN body_html {{blob}};
ALTER TABLE notify_messages ADD COLUMN body_short {{blob}};

ALTER TABLE notify_deliveries RENAME COLUMN address TO address_plain;
ALTER TABLE notify_deliveries ADD COLUMN address {{blob}};

ALTER TABLE notify_inbox RENAME COLUMN subject TO subject_plain;
ALTER TABLE notify_inbox RENAME COLUMN body TO body_plain;
ALTER TABLE notify_inbox ADD COLUMN subject {{blob}};
ALTER TABLE notify_inbox ADD COLUMN body {{blob}};

-- The outbox is searched by recipient: a blind index (a keyed digest of the normalised
-- address) replaces the plain column in its index.
DROP INDEX notify_outbox_recipient;
ALTER TABLE notify_outbox RENAME COLUMN recipient TO recipient_plain;
ALTER TABLE notify_outbox RENAME COLUMN subject TO subject_plain;
ALTER TABLE notify_outbox RENAME COLUMN body TO body_plain;
ALTER TABLE notify_outbox RENAME COLUMN body_html TO body_html_plain;
ALTER TABLE notify_outbox ADD COLUMN recipient {{blob}};
ALTER TABLE notify_outbox ADD COLUMN recipient_idx {{blob}};
ALTER TABLE notify_outbox ADD COLUMN subject {{blob}};
ALTER TABLE notify_outbox ADD COLUMN body {{blob}};
ALTER TABLE notify_outbox ADD COLUMN body_html {{blob}};

-- The rate table keyed addresses by an unkeyed hash, which anyone can compute for a guessed
-- phone number: its rows are keyed with the data key from now on, and the old ones (a day's
-- worth of counts at most) go.
DELETE FROM notify_rate;
