// The editor of one record (an assessment, a session): the last saved view, the fields on
// screen, and the save queue every change goes through (in order, each on the data as last saved).

import type { Assessment } from "./bindings/Assessment";
import type { AssessmentView } from "./bindings/AssessmentView";
import type { Ctx } from "./app";
import { setAnswer, type Json } from "./answers";
import { api, IpcFailure } from "./ipc";

/** What a field widget needs of the record it edits. */
export interface Fields<D = unknown> {
  readonly answers: D;
  readonly editable: boolean;
  edit(path: string, value: Json): Promise<void>;
  editMany(changes: [string, Json][]): Promise<void>;
  editWith(compute: (saved: D) => [string, Json][]): Promise<void>;
  register(path: string, error: HTMLElement, input?: HTMLElement, flush?: () => void): void;
}

/** How a kind of record is read from its view and saved. */
export interface RecordIo<V, D> {
  data(v: V): D;
  editable(v: V): boolean;
  save(v: V, data: D): Promise<V>;
}

/** The editor's state: the last saved view, and the fields on screen by path. */
export class RecordEditor<V, D> implements Fields<D> {
  view: V;
  private chain: Promise<void> = Promise.resolve();
  private fields = new Map<string, { error: HTMLElement; input?: HTMLElement; flush?: () => void }>();
  /** Called after each save with the new view and the one before it. */
  onSaved: (v: V, before: V) => void = () => {};

  constructor(view: V, private readonly ctx: Ctx, private readonly io: RecordIo<V, D>) {
    this.view = view;
  }

  get answers(): D {
    return this.io.data(this.view);
  }

  get editable(): boolean {
    return this.io.editable(this.view);
  }

  /** A field on screen: where its error shows, and (for a field that saves after a pause) how
   * to save what is typed in it now. */
  register(path: string, error: HTMLElement, input?: HTMLElement, flush?: () => void): void {
    this.fields.set(path, { error, input, flush });
  }

  /** Queues what is typed but not saved yet in any field (before a list changes shape: an entry
   * added or removed at once after typing loses nothing). */
  flush(): void {
    for (const f of this.fields.values()) f.flush?.();
  }

  private showError(path: string, message: string): boolean {
    const f = this.fields.get(path);
    // A field no longer on screen: the error is shown as an alert instead.
    if (!f || !f.error.isConnected) return false;
    f.error.textContent = message;
    f.input?.setAttribute("aria-invalid", "true");
    return true;
  }

  clearError(path: string): void {
    const f = this.fields.get(path);
    if (!f) return;
    f.error.textContent = "";
    f.input?.removeAttribute("aria-invalid");
  }

  /** Applies one change to the last saved data and saves it. A rejected change is shown
   * beside its field and is not saved. Changes are saved in the order they were made. */
  edit(path: string, value: Json): Promise<void> {
    return this.editMany([[path, value]]);
  }

  /** Several answers saved together (a repeat blood pressure: both values or neither). */
  editMany(changes: [string, Json][]): Promise<void> {
    return this.editWith(() => changes);
  }

  /** A change computed from the data as saved when its turn comes (a list entry added or
   * removed after a field change still in the queue): nothing saved before it is overwritten. */
  editWith(compute: (saved: D) => [string, Json][]): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (!this.editable) return;
      const changes = compute(this.answers);
      if (changes.length === 0) return;
      const path = changes[0][0];
      const candidate = changes.reduce((a, [p, value]) => setAnswer(a, p, value), this.answers);
      try {
        const v = await this.io.save(this.view, candidate);
        const before = this.view;
        this.view = v;
        for (const [p] of changes) this.clearError(p);
        this.onSaved(v, before);
      } catch (e) {
        if (!(e instanceof IpcFailure && e.field && (this.showError(e.field, e.message) || this.showError(path, `${e.field}: ${e.message}`)))) {
          this.ctx.alert(e);
        }
      }
    });
    return this.chain;
  }

  /** Waits for every pending save (before leaving the screen). */
  settled(): Promise<void> {
    return this.chain;
  }
}

const ASSESSMENT_IO: RecordIo<AssessmentView, Assessment> = {
  data: (v) => v.record.answers,
  editable: (v) => v.editable,
  save: (v, answers) => api.saveAnswers(v.record.id, answers),
};

/** The editor of an assessment. */
export class Editor extends RecordEditor<AssessmentView, Assessment> {
  constructor(view: AssessmentView, ctx: Ctx) {
    super(view, ctx, ASSESSMENT_IO);
  }
}
