// The IPC layer: one typed function per Tauri command. Errors arrive as {code, message, field}.

import { invoke } from "@tauri-apps/api/core";
import type { AppInfo } from "./bindings/AppInfo";
import type { Assessment } from "./bindings/Assessment";
import type { AssessmentListing } from "./bindings/AssessmentListing";
import type { AssessmentView } from "./bindings/AssessmentView";
import type { Catalog } from "./bindings/Catalog";
import type { IpcError } from "./bindings/IpcError";
import type { NewPatient } from "./bindings/NewPatient";
import type { PatientRecord as Patient } from "./bindings/PatientRecord";
import type { Settings } from "./bindings/Settings";

/** A command failed: the core's code and message, and the field at fault when there is one. */
export class IpcFailure extends Error {
  readonly code: string;
  readonly field: string | null;
  constructor(e: IpcError) {
    super(e.message);
    this.code = e.code;
    this.field = e.field ?? null;
  }
}

function isIpcError(e: unknown): e is IpcError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    if (isIpcError(e)) throw new IpcFailure(e);
    throw new IpcFailure({ code: "ipc", message: String(e) });
  }
}

export type ExportFormat = "json" | "html" | "pdf" | "fhir";

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  catalog: () => call<Catalog>("catalog"),
  searchPatients: (query: string) => call<Patient[]>("search_patients", { query }),
  createPatient: (patient: NewPatient) => call<Patient>("create_patient", { patient }),
  patientAssessments: (patientId: number) => call<AssessmentListing[]>("patient_assessments", { patientId }),
  recentAssessments: () => call<AssessmentListing[]>("recent_assessments"),
  createDraft: (patientId: number) => call<AssessmentView>("create_draft", { patientId }),
  openAssessment: (id: number) => call<AssessmentView>("open_assessment", { id }),
  saveAnswers: (id: number, answers: Assessment) => call<AssessmentView>("save_answers", { id, answers }),
  setAcknowledgement: (id: number, rule: string, note: string) =>
    call<AssessmentView>("set_acknowledgement", { id, rule, note }),
  finalise: (id: number) => call<AssessmentView>("finalise", { id }),
  amend: (id: number) => call<AssessmentView>("amend", { id }),
  discardDraft: (id: number) => call<void>("discard_draft", { id }),
  summaryHtml: (id: number) => call<string>("summary_html", { id }),
  // The commands open the file dialogs themselves: the page never names a path.
  exportAssessment: (id: number, format: ExportFormat) => call<string | null>("export_assessment", { id, format }),
  importAssessment: () => call<AssessmentView | null>("import_assessment"),
  saveSettings: (settings: Settings) => call<AppInfo>("save_settings", { settings }),
  setTextSize: (percent: number) => call<AppInfo>("set_text_size", { percent }),
  uiReady: () => call<void>("ui_ready"),
};
