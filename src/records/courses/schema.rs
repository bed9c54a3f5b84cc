//! The tables of courses and sessions, as migrations 6 and 7 made them.

/// Version 6: courses and sessions; a finalised session is immutable and kept.
pub(crate) const V6: &str = r#"
CREATE TABLE course (
    id            INTEGER PRIMARY KEY,
    patient_id    INTEGER NOT NULL REFERENCES patient(id),
    assessment_id INTEGER NOT NULL REFERENCES assessment(id),
    route         TEXT NOT NULL CHECK (route IN ('iv_ketamine', 'esketamine_nasal')),
    started_on    TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    started_by    TEXT NOT NULL
);
CREATE INDEX course_by_patient ON course(patient_id, id);

CREATE TRIGGER course_is_immutable BEFORE UPDATE ON course
BEGIN
    SELECT RAISE(ABORT, 'a course cannot be changed');
END;

CREATE TRIGGER course_is_kept BEFORE DELETE ON course
BEGIN
    SELECT RAISE(ABORT, 'a course cannot be deleted');
END;

CREATE TABLE session (
    id             INTEGER PRIMARY KEY,
    course_id      INTEGER NOT NULL REFERENCES course(id),
    number         INTEGER NOT NULL CHECK (number >= 1),
    status         TEXT NOT NULL CHECK (status IN ('draft', 'final')),
    data           TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    finalised_at   TEXT,
    finalised_by   TEXT,
    gate           TEXT,
    outcome        TEXT CHECK (outcome IN ('treated', 'deferred', 'reassess')),
    ruleset_sha256 TEXT,
    policy         TEXT,
    dosing_sha256  TEXT,
    dosing_site    TEXT,
    signed_sha256  TEXT,
    UNIQUE (course_id, number),
    CHECK (status = 'draft' OR (finalised_at IS NOT NULL AND finalised_by IS NOT NULL AND gate IS NOT NULL
                                AND outcome IS NOT NULL AND signed_sha256 IS NOT NULL))
);

-- The REMS Patient Monitoring Form of an esketamine session marked as submitted: once, kept.
CREATE TABLE rems_submission (
    session_id   INTEGER PRIMARY KEY REFERENCES session(id),
    submitted_at TEXT NOT NULL,
    submitted_by TEXT NOT NULL
);

CREATE TRIGGER rems_submission_is_kept BEFORE DELETE ON rems_submission
BEGIN
    SELECT RAISE(ABORT, 'a REMS submission cannot be removed');
END;

CREATE TRIGGER rems_submission_is_immutable BEFORE UPDATE ON rems_submission
BEGIN
    SELECT RAISE(ABORT, 'a REMS submission cannot be changed');
END;

CREATE TRIGGER session_final_is_immutable BEFORE UPDATE ON session
WHEN OLD.status = 'final'
BEGIN
    SELECT RAISE(ABORT, 'a finalised session cannot be changed');
END;

CREATE TRIGGER session_final_is_kept BEFORE DELETE ON session
WHEN OLD.status = 'final'
BEGIN
    SELECT RAISE(ABORT, 'a finalised session cannot be deleted');
END;
"#;

/// Version 7: a finalised session is amended as a new version of it (the same number; the
/// version it amends kept, unchanged). The table is rebuilt for its new key, (course, number,
/// version); the foreign keys are checked after the migrations.
pub(crate) const V7: &str = r#"
CREATE TABLE session_v7 (
    id             INTEGER PRIMARY KEY,
    course_id      INTEGER NOT NULL REFERENCES course(id),
    number         INTEGER NOT NULL CHECK (number >= 1),
    version        INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    amends_id      INTEGER UNIQUE REFERENCES session(id),
    status         TEXT NOT NULL CHECK (status IN ('draft', 'final')),
    data           TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    finalised_at   TEXT,
    finalised_by   TEXT,
    gate           TEXT,
    outcome        TEXT CHECK (outcome IN ('treated', 'deferred', 'reassess')),
    ruleset_sha256 TEXT,
    policy         TEXT,
    dosing_sha256  TEXT,
    dosing_site    TEXT,
    signed_sha256  TEXT,
    UNIQUE (course_id, number, version),
    CHECK ((version = 1) = (amends_id IS NULL)),
    CHECK (status = 'draft' OR (finalised_at IS NOT NULL AND finalised_by IS NOT NULL AND gate IS NOT NULL
                                AND outcome IS NOT NULL AND signed_sha256 IS NOT NULL))
);
INSERT INTO session_v7 (id, course_id, number, version, amends_id, status, data, created_at, updated_at,
                        finalised_at, finalised_by, gate, outcome, ruleset_sha256, policy, dosing_sha256,
                        dosing_site, signed_sha256)
SELECT id, course_id, number, 1, NULL, status, data, created_at, updated_at, finalised_at, finalised_by, gate,
       outcome, ruleset_sha256, policy, dosing_sha256, dosing_site, signed_sha256 FROM session;
DROP TABLE session;
ALTER TABLE session_v7 RENAME TO session;
CREATE INDEX session_by_course ON session(course_id, number, version);

CREATE TRIGGER session_final_is_immutable BEFORE UPDATE ON session
WHEN OLD.status = 'final'
BEGIN
    SELECT RAISE(ABORT, 'a finalised session cannot be changed');
END;

CREATE TRIGGER session_final_is_kept BEFORE DELETE ON session
WHEN OLD.status = 'final'
BEGIN
    SELECT RAISE(ABORT, 'a finalised session cannot be deleted');
END;
"#;
