-- Second Opinion library, schema version 5.
-- The clinical facts a second doctor reads first (issue #11): the
-- patient's own question, the diagnosis with its date and details, the
-- treatment so far, other conditions and implants, height and weight,
-- how the patient manages day to day, key results, who gets the opinion,
-- and what a PDF cannot carry (slides, blocks, imaging discs).
--
-- The new tables hold a handful of rows per person or case, so they have
-- no index of their own: with 64 KiB pages every index costs an empty
-- library 64 KiB, and a scan of a few rows costs nothing.

-- The question for the second doctor in the patient's words, and the
-- diagnosis's date and details (stage, grade, markers: free text).
ALTER TABLE "case" ADD COLUMN question TEXT NOT NULL DEFAULT '';
ALTER TABLE "case" ADD COLUMN diagnosed_on TEXT NOT NULL DEFAULT '';
ALTER TABLE "case" ADD COLUMN diagnosis_detail TEXT NOT NULL DEFAULT '';
ALTER TABLE "case" ADD COLUMN treatment_so_far TEXT NOT NULL DEFAULT '';

-- Height and weight with the date they were measured (0: not recorded),
-- and how the patient manages day to day: 0 not recorded, 1-5 for the
-- ECOG performance status 0-4.
ALTER TABLE person ADD COLUMN height_cm REAL NOT NULL DEFAULT 0;
ALTER TABLE person ADD COLUMN weight_kg REAL NOT NULL DEFAULT 0;
ALTER TABLE person ADD COLUMN measured_on TEXT NOT NULL DEFAULT '';
ALTER TABLE person ADD COLUMN activity INTEGER NOT NULL DEFAULT 0;

-- A paused medicine says since when and why.
ALTER TABLE medication ADD COLUMN paused_on TEXT NOT NULL DEFAULT '';
ALTER TABLE medication ADD COLUMN pause_reason TEXT NOT NULL DEFAULT '';

-- Other conditions (a problem list) and implants or devices (pacemaker,
-- port, metal: they matter for MRI and radiotherapy).
CREATE TABLE history_item (
    id        TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('condition', 'device')),
    name      TEXT NOT NULL,
    date      TEXT NOT NULL DEFAULT '',
    notes     TEXT NOT NULL DEFAULT '',
    created   TEXT NOT NULL
);

-- Key results the patient copies from their reports (tumour markers,
-- haemoglobin, eGFR), with the document each came from when given.
CREATE TABLE result (
    id          TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES person(id) ON DELETE CASCADE,
    test        TEXT NOT NULL,
    value       TEXT NOT NULL DEFAULT '',
    unit        TEXT NOT NULL DEFAULT '',
    taken_on    TEXT NOT NULL DEFAULT '',
    ref_range   TEXT NOT NULL DEFAULT '',
    document_id TEXT REFERENCES document(id) ON DELETE SET NULL,
    created     TEXT NOT NULL
);

-- Whom the opinion is sent to, and who gets a copy.
CREATE TABLE recipient (
    id       TEXT PRIMARY KEY,
    case_id  TEXT NOT NULL REFERENCES "case"(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    role     TEXT NOT NULL DEFAULT '',
    name     TEXT NOT NULL,
    address  TEXT NOT NULL DEFAULT '',
    phone    TEXT NOT NULL DEFAULT '',
    email    TEXT NOT NULL DEFAULT '',
    copy_to  INTEGER NOT NULL DEFAULT 0
);

-- What a PDF cannot carry: pathology slides and blocks, imaging discs.
-- Asked of whom, sent to whom, when, and when received.
CREATE TABLE handover (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES "case"(id) ON DELETE CASCADE,
    what        TEXT NOT NULL,
    held_by     TEXT NOT NULL DEFAULT '',
    sent_to     TEXT NOT NULL DEFAULT '',
    asked_on    TEXT NOT NULL DEFAULT '',
    sent_on     TEXT NOT NULL DEFAULT '',
    received_on TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL DEFAULT '',
    created     TEXT NOT NULL
);
