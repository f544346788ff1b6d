-- Standard OpenID Connect beside the ЕСИА dialect (internal/id/provider): a registered system
-- is of one kind — 'esia' (signs its requests with its GOST certificate) or 'oidc' (a client
-- secret, or none for a public client that must use PKCE). OIDC systems have no certificate:
-- their cert is empty and cert_hash ''.
ALTER TABLE id_provider_clients ADD COLUMN kind TEXT NOT NULL DEFAULT 'esia' CHECK (kind IN ('esia', 'oidc'));
-- Streebog-256 of the client secret, hex ('' for ЕСИА and public clients).
ALTER TABLE id_provider_clients ADD COLUMN secret_hash TEXT NOT NULL DEFAULT '';
-- Where RP-initiated logout may send the person back (one per line).
ALTER TABLE id_provider_clients ADD COLUMN post_logout_uris TEXT NOT NULL DEFAULT '';

-- The OIDC nonce a system sent with its request, put in the id token of its code.
ALTER TABLE id_provider_requests ADD COLUMN nonce TEXT NOT NULL DEFAULT '';
ALTER TABLE id_provider_codes ADD COLUMN nonce TEXT NOT NULL DEFAULT '';
