-- The citizen's document library «Документы» (internal/applications): the latest accepted
-- document of each kind a citizen has uploaded, kept between applications and offered for
-- reuse. Only ids and kinds: the file and its name are sealed by internal/documents. A stored
-- document lives while this table or an application (application_documents) refers to it.
CREATE TABLE document_library (
	account_id  TEXT NOT NULL,
	kind        TEXT NOT NULL,
	document_id TEXT NOT NULL,
	added_at    {{timestamp}} NOT NULL,
	used_at     {{timestamp}},
	PRIMARY KEY (account_id, kind)
);
CREATE INDEX document_library_document ON document_library (document_id);

-- Whether an application still refers to a document, asked before a file is removed.
CREATE INDEX application_documents_document ON application_documents (document_id);
