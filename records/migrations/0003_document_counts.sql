-- Second Opinion library, schema version 3.
-- Lists show each document's number of files, pages and bytes. Counting
-- them with a join over every document made a list of 10,000 documents take
-- over 250 ms; the counts now live on the document row, kept in step by
-- triggers on document_file (a file's pages and size never change), and
-- lists read them with the rows an index already has in order.

ALTER TABLE document ADD COLUMN file_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE document ADD COLUMN pages INTEGER NOT NULL DEFAULT 0;
ALTER TABLE document ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;

UPDATE document SET
    file_count = (SELECT count(*) FROM document_file df WHERE df.document_id = document.id),
    pages = (SELECT coalesce(sum(f.pages), 0) FROM document_file df JOIN file f ON f.id = df.file_id WHERE df.document_id = document.id),
    bytes = (SELECT coalesce(sum(f.size), 0) FROM document_file df JOIN file f ON f.id = df.file_id WHERE df.document_id = document.id);

CREATE TRIGGER document_file_added AFTER INSERT ON document_file BEGIN
    UPDATE document SET
        file_count = file_count + 1,
        pages = pages + (SELECT pages FROM file WHERE id = NEW.file_id),
        bytes = bytes + (SELECT size FROM file WHERE id = NEW.file_id)
    WHERE id = NEW.document_id;
END;

CREATE TRIGGER document_file_removed AFTER DELETE ON document_file BEGIN
    UPDATE document SET
        file_count = file_count - 1,
        pages = pages - coalesce((SELECT pages FROM file WHERE id = OLD.file_id), 0),
        bytes = bytes - coalesce((SELECT size FROM file WHERE id = OLD.file_id), 0)
    WHERE id = OLD.document_id;
END;

DROP INDEX document_person_date;
CREATE INDEX document_list ON document(trashed, date, created);
CREATE INDEX document_person_list ON document(person_id, trashed, date, created);
