//! Documents: every renderer. The eligibility summary (text, HTML, PDF, FHIR), the course and
//! session summaries, the SPRAVATO REMS Patient Monitoring Form, the outcome charts and the rule
//! set as a document for review.
//!
//! Documents read the records' data; the records never import a document.

pub mod bidi;
pub mod course_fhir;
pub mod course_outcomes;
pub mod course_sessions;
pub mod course_summary;
pub mod fhir;
pub mod outcome_chart;
pub mod pdf;
pub mod rems;
pub mod rules_doc;
pub mod summary;
pub mod summary_html;
pub mod summary_pdf;
pub mod summary_rows;
pub mod summary_text;
