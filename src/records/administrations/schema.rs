//! The table of the outcome-scale administrations, with the database's refusals.

/// Version 8: administrations of outcome scales, kept with their course.
pub(crate) const V8: &str = r#"
CREATE TABLE administration (
    id            INTEGER PRIMARY KEY,
    course_id     INTEGER NOT NULL REFERENCES course(id),
    scale         TEXT NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    amends_id     INTEGER UNIQUE REFERENCES administration(id),
    status        TEXT NOT NULL CHECK (status IN ('draft', 'final')),
    data          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    finalised_at  TEXT,
    finalised_by  TEXT,
    score         TEXT,
    scale_sha256  TEXT,
    scales_site   TEXT,
    signed_sha256 TEXT,
    CHECK (status = 'draft' OR (finalised_at IS NOT NULL AND finalised_by IS NOT NULL AND score IS NOT NULL
                                AND scale_sha256 IS NOT NULL AND scales_site IS NOT NULL AND signed_sha256 IS NOT NULL))
);
CREATE INDEX administration_by_course ON administration(course_id, id);

CREATE TRIGGER administration_final_is_immutable BEFORE UPDATE ON administration
WHEN OLD.status = 'final'
BEGIN
    SELECT RAISE(ABORT, 'a finalised administration cannot be changed');
END;

CREATE TRIGGER administration_final_is_kept BEFORE DELETE ON administration
WHEN OLD.status = 'final'
BEGIN
    SELECT RAISE(ABORT, 'a finalised administration cannot be deleted');
END;
"#;
