// Generated from src-tauri/commands.toml and the Rust types by scripts/bindings: do not edit.

import { call } from "../call";
import type { Access } from "./Access";
import type { Administration } from "./Administration";
import type { AdministrationView } from "./AdministrationView";
import type { AppInfo } from "./AppInfo";
import type { Assessment } from "./Assessment";
import type { AssessmentListing } from "./AssessmentListing";
import type { AssessmentView } from "./AssessmentView";
import type { Catalog } from "./Catalog";
import type { CourseOutcomes } from "./CourseOutcomes";
import type { CourseRecord } from "./CourseRecord";
import type { CourseView } from "./CourseView";
import type { ExportFormat } from "./ExportFormat";
import type { LockReason } from "./LockReason";
import type { NewPatient } from "./NewPatient";
import type { PatientRecord } from "./PatientRecord";
import type { RemsPending } from "./RemsPending";
import type { Session } from "./Session";
import type { SessionDocument } from "./SessionDocument";
import type { SessionView } from "./SessionView";
import type { SetUp } from "./SetUp";
import type { SettingChange } from "./SettingChange";
import type { Settings } from "./Settings";

/** Every command of the app, with its arguments by name. */
export const commands = {
  /** What the app shows of itself: version, rule set, data folder, settings and policy. */
  appInfo: () => call<AppInfo>("app_info"),
  /** The rule set as the UI needs it: steps, questions, rules, drugs, ranges, policy. */
  catalog: () => call<Catalog>("catalog"),
  /** Patients whose MRN or name words start with each word of the query; empty: the newest. */
  searchPatients: (query: string) => call<Array<PatientRecord>>("search_patients", { query }),
  /** One patient by id (any patient, however old). */
  patient: (id: number) => call<PatientRecord>("patient", { id }),
  /** Adds a patient (a name and a unique MRN are needed). */
  createPatient: (patient: NewPatient) => call<PatientRecord>("create_patient", { patient }),
  /** A patient's assessments, newest first. */
  patientAssessments: (patientId: number) => call<Array<AssessmentListing>>("patient_assessments", { patientId }),
  /** The most recently changed assessments of all patients. */
  recentAssessments: () => call<Array<AssessmentListing>>("recent_assessments"),
  /** Starts a new assessment of a patient. */
  createDraft: (patientId: number) => call<AssessmentView>("create_draft", { patientId }),
  /** An assessment with its evaluation and the steps that apply. */
  openAssessment: (id: number) => call<AssessmentView>("open_assessment", { id }),
  /** Saves a draft's answers. A rejected answer names its field and nothing is saved. */
  saveAnswers: (id: number, answers: Assessment) => call<AssessmentView>("save_answers", { id, answers }),
  /** The clinician's note for a precaution of the assessment (empty removes it). */
  setAcknowledgement: (id: number, rule: string, note: string) => call<AssessmentView>("set_acknowledgement", { id, rule, note }),
  /** Finalises a draft, signed by the signed-in clinician who gives their passphrase again: its evaluation, rule set, policy and the hash of what was signed are kept. */
  finalise: (id: number, passphrase: string) => call<AssessmentView>("finalise", { id, passphrase }),
  /** A new draft version of a finalised assessment (the clinician gives their passphrase again). */
  amend: (id: number, passphrase: string) => call<AssessmentView>("amend", { id, passphrase }),
  /** Discards a draft (a finalised assessment cannot be discarded). */
  discardDraft: (id: number) => call<void>("discard_draft", { id }),
  /** The printable summary of an assessment, as HTML. */
  summaryHtml: (id: number) => call<string>("summary_html", { id }),
  /** Writes an assessment to the file the clinician chooses in the save dialog this command opens (the page never names a path); null when cancelled. */
  exportAssessment: (id: number, format: ExportFormat) => call<string | null>("export_assessment", { id, format }),
  /** Imports the assessment file the clinician chooses in the open dialog this command opens, as a new draft; null when cancelled. */
  importAssessment: () => call<AssessmentView | null>("import_assessment"),
  /** Saves the clinic's settings in the records database, each change audited; `expected` is what the form was opened with (null when the settings could not be read): if they changed meanwhile, nothing is saved. */
  saveSettings: (settings: Settings, expected: Settings | null) => call<AppInfo>("save_settings", { settings, expected }),
  /** Every change of the clinic's settings: who, when, from → to, newest first. */
  settingsHistory: () => call<Array<SettingChange>>("settings_history"),
  /** Sets this workstation's text size (the zoom of the whole page) and keeps it. */
  setTextSize: (percent: number) => call<AppInfo>("set_text_size", { percent }),
  /** Called by the UI once its first screen shows its data (launch measurement). */
  uiReady: () => call<void>("ui_ready"),
  /** Where sign-in stands: set up the first clinician, sign in (the clinicians' names), or signed in (who, and the lock time). */
  accessStatus: () => call<Access>("access_status"),
  /** Creates the first clinician (an earlier version's records are encrypted); returns the recovery key, shown this once. */
  setUp: (name: string, passphrase: string) => call<SetUp>("set_up", { name, passphrase }),
  /** Signs a clinician in: their passphrase unlocks the records. */
  signIn: (name: string, passphrase: string) => call<Access>("sign_in", { name, passphrase }),
  /** With the recovery key: a new passphrase for a clinician (new, or who forgot theirs), who is then signed in. */
  recover: (recoveryKey: string, name: string, passphrase: string) => call<Access>("recover", { recoveryKey, name, passphrase }),
  /** Locks the app (idle, or the clinician signs out): the records are closed and the key dropped. */
  lock: (reason: LockReason) => call<Access>("lock", { reason }),
  /** The clinician is at the keyboard (input on the page, sent at most every 30 s). */
  touch: () => call<void>("touch"),
  /** Adds a clinician, by the one signed in, who gives their own passphrase again. */
  addClinician: (name: string, passphrase: string, yourPassphrase: string) => call<Access>("add_clinician", { name, passphrase, yourPassphrase }),
  /** Removes a clinician's access (never the last one, nor one's own); the one signed in gives their passphrase again. */
  removeClinician: (name: string, yourPassphrase: string) => call<Access>("remove_clinician", { name, yourPassphrase }),
  /** Changes the signed-in clinician's passphrase. */
  changePassphrase: (oldPassphrase: string, newPassphrase: string) => call<Access>("change_passphrase", { oldPassphrase, newPassphrase }),
  /** A patient's treatment courses, oldest first. */
  patientCourses: (patientId: number) => call<Array<CourseRecord>>("patient_courses", { patientId }),
  /** Starts a treatment course from a finalised assessment found eligible (the newest version); the route is the assessment's. */
  startCourse: (assessmentId: number, startedOn: string) => call<CourseView>("start_course", { assessmentId, startedOn }),
  /** Ends a course on a date with its reason (once; kept): it takes no new session, and a new course by its route can start. */
  endCourse: (id: number, endedOn: string, reason: string) => call<CourseView>("end_course", { id, endedOn, reason }),
  /** A course with its sessions in order, each with its place in the schedule, and what is due next. */
  openCourse: (id: number) => call<CourseView>("open_course", { id }),
  /** Adds the course's next session as a draft dated `date` (once the one before is finalised). */
  newSession: (courseId: number, date: string) => call<SessionView>("new_session", { courseId, date }),
  /** A session with its pre-dose gate, what it still needs, the dose calculator and its place in the schedule. */
  openSession: (id: number) => call<SessionView>("open_session", { id }),
  /** Saves a session draft. What cannot be true is refused naming its field, and nothing is saved. */
  saveSession: (id: number, session: Session) => call<SessionView>("save_session", { id, session }),
  /** Finalises a session, signed by the signed-in clinician who gives their passphrase again: the gate, the rules, policy and dosing choices in force and the hash of what was signed are kept. */
  finaliseSession: (id: number, passphrase: string) => call<SessionView>("finalise_session", { id, passphrase }),
  /** A new draft version of a finalised session (the newest version, once); the clinician gives their passphrase again. */
  amendSession: (id: number, passphrase: string) => call<SessionView>("amend_session", { id, passphrase }),
  /** Marks a finalised esketamine session's REMS form as submitted (once), by the signed-in clinician. */
  markRemsSubmitted: (id: number) => call<SessionView>("mark_rems_submitted", { id }),
  /** The treated esketamine sessions whose REMS form is not marked submitted, soonest due first. */
  remsPending: () => call<Array<RemsPending>>("rems_pending"),
  /** A session's summary or REMS form as HTML, to show on screen. */
  sessionDocumentHtml: (id: number, document: SessionDocument) => call<string>("session_document_html", { id, document }),
  /** Writes a session's summary or REMS form as PDF to the file the clinician chooses in the save dialog this command opens; null when cancelled. */
  exportSessionDocument: (id: number, document: SessionDocument) => call<string | null>("export_session_document", { id, document }),
  /** Writes a course (JSON, summary as HTML or PDF, or FHIR R4) to the file the clinician chooses in the save dialog this command opens; null when cancelled. */
  exportCourse: (id: number, format: ExportFormat) => call<string | null>("export_course", { id, format }),
  /** A course's outcome scales as of today: each scale's bands, baseline, response and remission lines and administrations (judged against the baseline in force), every safety alert, and the benefit review. */
  courseOutcomes: (courseId: number) => call<CourseOutcomes>("course_outcomes", { courseId }),
  /** Adds a scale administration (PHQ-9, MADRS) to a course as a draft, every item unanswered: the course's baseline, or a follow-up at a session or on a date. */
  newAdministration: (courseId: number, scale: string, date: string, baseline: boolean, sessionNumber: number | null) => call<AdministrationView>("new_administration", { courseId, scale, date, baseline, sessionNumber }),
  /** An administration with what it still needs, its safety alerts, its baseline and (every item answered) its score. */
  openAdministration: (id: number) => call<AdministrationView>("open_administration", { id }),
  /** Saves an administration draft as typed, each changed answer audited. What cannot be true is refused naming its field, and nothing is saved. */
  saveAdministration: (id: number, administration: Administration) => call<AdministrationView>("save_administration", { id, administration }),
  /** Finalises an administration, signed by the signed-in clinician who gives their passphrase again: every item answered, a note on any safety alert; its score and the site's remission choice are kept. */
  finaliseAdministration: (id: number, passphrase: string) => call<AdministrationView>("finalise_administration", { id, passphrase }),
  /** A new draft version of a finalised administration; the clinician gives their passphrase again. */
  amendAdministration: (id: number, passphrase: string) => call<AdministrationView>("amend_administration", { id, passphrase }),
};

/** The name of every command. */
export type CommandName = "app_info" | "catalog" | "search_patients" | "patient" | "create_patient" | "patient_assessments" | "recent_assessments" | "create_draft" | "open_assessment" | "save_answers" | "set_acknowledgement" | "finalise" | "amend" | "discard_draft" | "summary_html" | "export_assessment" | "import_assessment" | "save_settings" | "settings_history" | "set_text_size" | "ui_ready" | "access_status" | "set_up" | "sign_in" | "recover" | "lock" | "touch" | "add_clinician" | "remove_clinician" | "change_passphrase" | "patient_courses" | "start_course" | "end_course" | "open_course" | "new_session" | "open_session" | "save_session" | "finalise_session" | "amend_session" | "mark_rems_submitted" | "rems_pending" | "session_document_html" | "export_session_document" | "export_course" | "course_outcomes" | "new_administration" | "open_administration" | "save_administration" | "finalise_administration" | "amend_administration";
