// Generated from src-tauri/commands.toml and the Rust types by scripts/bindings: do not edit.

import { call } from "../call";
import type { AppInfo } from "./AppInfo";
import type { Assessment } from "./Assessment";
import type { AssessmentListing } from "./AssessmentListing";
import type { AssessmentView } from "./AssessmentView";
import type { Catalog } from "./Catalog";
import type { ExportFormat } from "./ExportFormat";
import type { NewPatient } from "./NewPatient";
import type { PatientRecord } from "./PatientRecord";
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
  /** Finalises a draft with the clinician's name: its evaluation, rule set and policy are kept. */
  finalise: (id: number) => call<AssessmentView>("finalise", { id }),
  /** A new draft version of a finalised assessment. */
  amend: (id: number) => call<AssessmentView>("amend", { id }),
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
};

/** The name of every command. */
export type CommandName = "app_info" | "catalog" | "search_patients" | "patient" | "create_patient" | "patient_assessments" | "recent_assessments" | "create_draft" | "open_assessment" | "save_answers" | "set_acknowledgement" | "finalise" | "amend" | "discard_draft" | "summary_html" | "export_assessment" | "import_assessment" | "save_settings" | "settings_history" | "set_text_size" | "ui_ready";
