-- Imaging discs (issue #13): the studies, series and images a disc holds,
-- kept beside the DICOM files themselves. Each study is one document of
-- kind imaging whose files are the study's DICOM files (so trashing,
-- restoring and emptying the Trash work as for any document); these rows
-- say how the files group and order. Deleting the document deletes its
-- rows (ON DELETE CASCADE).
--
-- With 64 KiB pages each table or index costs an empty library 64 KiB, so
-- the tables are WITHOUT ROWID (the primary key is the table, no second
-- b-tree) and have no other index: a person has tens of studies and
-- series, scanned in no time, and an image's rows are found by the
-- prefix of its key. imaging_instance.file_id has no foreign key: the
-- file is held by the study's document (document_file), and a foreign key
-- without an index would make deleting any file scan every image row.

CREATE TABLE imaging_study (
    id            TEXT PRIMARY KEY,
    document_id   TEXT NOT NULL REFERENCES document(id) ON DELETE CASCADE,
    uid           TEXT NOT NULL DEFAULT '',
    date          TEXT NOT NULL DEFAULT '',
    modality      TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    body_part     TEXT NOT NULL DEFAULT '',
    accession     TEXT NOT NULL DEFAULT '',
    referring     TEXT NOT NULL DEFAULT '',
    institution   TEXT NOT NULL DEFAULT '',
    patient_name  TEXT NOT NULL DEFAULT '',
    patient_birth TEXT NOT NULL DEFAULT '',
    -- As on the disc, for the DICOMDIR of an enclosure: the patient's name
    -- in DICOM form (FAMILY^GIVEN), Patient ID, the study's time (HHMMSS)
    -- and Study ID.
    patient_pn    TEXT NOT NULL DEFAULT '',
    patient_id    TEXT NOT NULL DEFAULT '',
    time          TEXT NOT NULL DEFAULT '',
    study_number  TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

CREATE TABLE imaging_series (
    id          TEXT PRIMARY KEY,
    study_id    TEXT NOT NULL REFERENCES imaging_study(id) ON DELETE CASCADE,
    uid         TEXT NOT NULL DEFAULT '',
    number      INTEGER NOT NULL DEFAULT 0,
    modality    TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    body_part   TEXT NOT NULL DEFAULT '',
    images      INTEGER NOT NULL DEFAULT 0,
    frames      INTEGER NOT NULL DEFAULT 0,
    -- The key image: which stored image (1-based position in the series,
    -- 0 for none), its frame (1-based, 0 when single), the window it was
    -- drawn with, or why it cannot be drawn.
    key_slice   INTEGER NOT NULL DEFAULT 0,
    key_frame   INTEGER NOT NULL DEFAULT 0,
    key_window  TEXT NOT NULL DEFAULT '',
    no_preview  TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

CREATE TABLE imaging_instance (
    series_id       TEXT NOT NULL REFERENCES imaging_series(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    file_id         TEXT NOT NULL,
    number          INTEGER NOT NULL DEFAULT 0,
    sop_class       TEXT NOT NULL DEFAULT '',
    sop_instance    TEXT NOT NULL DEFAULT '',
    transfer_syntax TEXT NOT NULL DEFAULT '',
    frames          INTEGER NOT NULL DEFAULT 1,
    image           INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (series_id, position)
) WITHOUT ROWID;
