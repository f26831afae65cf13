-- Second Opinion library, schema version 1.
-- Dates of service are TEXT in the sortable form YYYY[-MM[-DD]]; instants are
-- TEXT in RFC 3339, UTC. IDs are UUIDs as TEXT.

CREATE TABLE person (
    id            TEXT PRIMARY KEY,
    full_name     TEXT NOT NULL,
    birth_date    TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    prep_self     INTEGER NOT NULL DEFAULT 1,
    prep_name     TEXT NOT NULL DEFAULT '',
    prep_relation TEXT NOT NULL DEFAULT '',
    prep_phone    TEXT NOT NULL DEFAULT '',
    prep_email    TEXT NOT NULL DEFAULT '',
    allergy_status INTEGER NOT NULL DEFAULT 0,
    created       TEXT NOT NULL,
    updated       TEXT NOT NULL
);

CREATE TABLE person_identifier (
    person_id TEXT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    label     TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (person_id, position)
);

-- A file's bytes are stored once, whatever number of documents use them.
CREATE TABLE file (
    id          TEXT PRIMARY KEY,
    sha256      TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size        INTEGER NOT NULL,
    pages       INTEGER NOT NULL DEFAULT 1,
    width       INTEGER NOT NULL DEFAULT 0,
    height      INTEGER NOT NULL DEFAULT 0,
    orientation INTEGER NOT NULL DEFAULT 0,
    encrypted   INTEGER NOT NULL DEFAULT 0,
    chunks      INTEGER NOT NULL,
    created     TEXT NOT NULL
);

-- The bytes, in chunks of at most 1 MiB, so a large file is never held whole.
CREATE TABLE file_chunk (
    file_id TEXT NOT NULL REFERENCES file(id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    data    BLOB NOT NULL,
    PRIMARY KEY (file_id, seq)
) WITHOUT ROWID;

-- Work derived from a file alone (the compact print version of a photo),
-- kept so export is mostly assembly. Safe to delete: it is made again.
CREATE TABLE file_derived (
    file_id TEXT NOT NULL REFERENCES file(id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    width   INTEGER NOT NULL DEFAULT 0,
    height  INTEGER NOT NULL DEFAULT 0,
    data    BLOB NOT NULL,
    PRIMARY KEY (file_id, kind)
) WITHOUT ROWID;

CREATE TABLE document (
    id        TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
    kind      TEXT NOT NULL,
    title     TEXT NOT NULL DEFAULT '',
    date      TEXT NOT NULL DEFAULT '',
    source    TEXT NOT NULL DEFAULT '',
    notes     TEXT NOT NULL DEFAULT '',
    tags      TEXT NOT NULL DEFAULT '',
    trashed   TEXT NOT NULL DEFAULT '',
    created   TEXT NOT NULL,
    updated   TEXT NOT NULL
);
CREATE INDEX document_person_date ON document(person_id, date);

CREATE TABLE document_file (
    document_id TEXT NOT NULL REFERENCES document(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    file_id     TEXT NOT NULL REFERENCES file(id),
    PRIMARY KEY (document_id, position)
) WITHOUT ROWID;
CREATE INDEX document_file_file ON document_file(file_id);

-- The text layer of PDFs, for search; kept apart so lists never read it.
CREATE TABLE file_text (
    file_id TEXT PRIMARY KEY REFERENCES file(id) ON DELETE CASCADE,
    text    TEXT NOT NULL
);

CREATE TABLE medication (
    id          TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    strength    TEXT NOT NULL DEFAULT '',
    dose        TEXT NOT NULL DEFAULT '',
    form        TEXT NOT NULL DEFAULT '',
    frequency   TEXT NOT NULL DEFAULT '',
    slots       INTEGER NOT NULL DEFAULT 0,
    start_date  TEXT NOT NULL DEFAULT '',
    stop_date   TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'taking',
    reason      TEXT NOT NULL DEFAULT '',
    prescriber  TEXT NOT NULL DEFAULT '',
    stop_reason TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL DEFAULT '',
    created     TEXT NOT NULL,
    updated     TEXT NOT NULL
);
CREATE INDEX medication_person ON medication(person_id);

CREATE TABLE allergy (
    id        TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
    substance TEXT NOT NULL,
    reaction  TEXT NOT NULL DEFAULT '',
    severity  TEXT NOT NULL DEFAULT '',
    created   TEXT NOT NULL
);
CREATE INDEX allergy_person ON allergy(person_id);

CREATE TABLE "case" (
    id             TEXT PRIMARY KEY,
    person_id      TEXT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
    title          TEXT NOT NULL DEFAULT '',
    diagnosis      TEXT NOT NULL DEFAULT '',
    first_name     TEXT NOT NULL DEFAULT '',
    first_specialty TEXT NOT NULL DEFAULT '',
    first_hospital TEXT NOT NULL DEFAULT '',
    treatment_plan TEXT NOT NULL DEFAULT '',
    reasons        TEXT NOT NULL DEFAULT '',
    reason_other   TEXT NOT NULL DEFAULT '',
    decision       TEXT NOT NULL DEFAULT '',
    second_name    TEXT NOT NULL DEFAULT '',
    second_specialty TEXT NOT NULL DEFAULT '',
    second_hospital TEXT NOT NULL DEFAULT '',
    appointment    TEXT NOT NULL DEFAULT '',
    appointment_at TEXT NOT NULL DEFAULT '',
    status         INTEGER NOT NULL DEFAULT 0,
    urgent         INTEGER NOT NULL DEFAULT 0,
    via_referral   INTEGER NOT NULL DEFAULT 1,
    coverage       TEXT NOT NULL DEFAULT '',
    paper          TEXT NOT NULL DEFAULT '',
    quality        TEXT NOT NULL DEFAULT 'compact',
    packet_chosen  INTEGER NOT NULL DEFAULT 0,
    timeline       INTEGER NOT NULL DEFAULT 0,
    created        TEXT NOT NULL,
    updated        TEXT NOT NULL
);
CREATE INDEX case_person ON "case"(person_id);

CREATE TABLE case_not_applicable (
    case_id TEXT NOT NULL REFERENCES "case"(id) ON DELETE CASCADE,
    item    TEXT NOT NULL,
    reason  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (case_id, item)
);

CREATE TABLE packet_document (
    case_id     TEXT NOT NULL REFERENCES "case"(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    document_id TEXT NOT NULL REFERENCES document(id) ON DELETE CASCADE,
    PRIMARY KEY (case_id, position)
);

CREATE TABLE packet_export (
    id        TEXT PRIMARY KEY,
    case_id   TEXT NOT NULL REFERENCES "case"(id) ON DELETE CASCADE,
    at        TEXT NOT NULL,
    sent_to   TEXT NOT NULL DEFAULT '',
    file_name TEXT NOT NULL,
    pages     INTEGER NOT NULL DEFAULT 0,
    bytes     INTEGER NOT NULL DEFAULT 0,
    kind      TEXT NOT NULL DEFAULT 'packet'
);

CREATE TABLE records_request (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES "case"(id) ON DELETE CASCADE,
    from_whom    TEXT NOT NULL DEFAULT '',
    what         TEXT NOT NULL DEFAULT '',
    requested_on TEXT NOT NULL DEFAULT '',
    received_on  TEXT NOT NULL DEFAULT '',
    created      TEXT NOT NULL
);

CREATE TABLE opinion (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES "case"(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    clinician  TEXT NOT NULL DEFAULT '',
    specialty  TEXT NOT NULL DEFAULT '',
    hospital   TEXT NOT NULL DEFAULT '',
    date       TEXT NOT NULL DEFAULT '',
    diagnosis  TEXT NOT NULL DEFAULT '',
    treatment  TEXT NOT NULL DEFAULT '',
    notes      TEXT NOT NULL DEFAULT ''
);

CREATE TABLE question (
    id       TEXT PRIMARY KEY,
    case_id  TEXT NOT NULL REFERENCES "case"(id) ON DELETE CASCADE,
    text     TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL,
    asked    INTEGER NOT NULL DEFAULT 0,
    answer   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX question_case ON question(case_id, position);

CREATE TABLE question_document (
    question_id TEXT NOT NULL REFERENCES question(id) ON DELETE CASCADE,
    document_id TEXT NOT NULL REFERENCES document(id) ON DELETE CASCADE,
    PRIMARY KEY (question_id, document_id)
);

-- Full-text search. One row per searchable thing; kept in step by the store
-- (not triggers) so the text layer of a PDF is indexed once per document.
CREATE VIRTUAL TABLE search USING fts5(
    ref UNINDEXED,      -- document or medication id
    kind UNINDEXED,     -- 'document' or 'medication'
    person_id UNINDEXED,
    title, notes, source, tags, body,
    tokenize = 'unicode61 remove_diacritics 2'
);
