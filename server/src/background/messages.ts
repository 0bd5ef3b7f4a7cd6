// What the server's main thread and its background thread say to each other. The background
// thread keeps a replica of every file the main thread knows (so cross-file rules see them all)
// and analyses the large ones, which the main thread does not.
import type { TextChange } from "../incremental";
import type { Contributions } from "../service/service";
import type { Settings } from "../service/settings";

/** Main thread → background thread, in the order things happened. */
export type ToBackground =
  | { readonly t: "settings"; readonly settings: Settings }
  /** the workspace folders (absolute paths): bound deployment files are read only inside them */
  | { readonly t: "roots"; readonly roots: readonly string[] }
  | {
      readonly t: "update";
      readonly uri: string;
      /** the whole text, or the one edit that produced it from the text sent before */
      readonly text?: string;
      readonly change?: TextChange;
      readonly open: boolean;
      readonly version?: number;
      /** the main thread does not analyse this file: the background thread reports on it */
      readonly hosted: boolean;
    }
  | { readonly t: "close"; readonly uri: string; readonly diskText?: string }
  | { readonly t: "remove"; readonly uri: string }
  | { readonly t: "deploymentChanged"; readonly uri: string; readonly createdOrDeleted: boolean }
  | { readonly t: "request"; readonly id: number; readonly method: string; readonly params: unknown }
  /** the client cancelled request `id`: its computation stops at its next check */
  | { readonly t: "cancel"; readonly id: number };

/** Background thread → main thread. */
export type FromBackground =
  | { readonly t: "ready" }
  | {
      readonly t: "diagnostics";
      readonly uri: string;
      readonly version?: number;
      /**
       * The file's diagnostics as one JSON string, absent when the client pulls them (it asks,
       * and the request is answered here). A large file's thousands of diagnostics cross to the
       * main thread as one block of text rather than a structured clone of an object graph,
       * which costs several times more to copy and rebuild; the main thread parses it only for
       * the version it sends.
       */
      readonly json?: string;
      /** the file itself was edited (a client that pulls diagnostics asks again by itself) */
      readonly edited: boolean;
    }
  | { readonly t: "contributions"; readonly uri: string; readonly contributions: Contributions }
  /** `json`: the result as JSON (it goes on to the client as JSON anyway; see `diagnostics`), after the `part`s sent before it */
  | { readonly t: "response"; readonly id: number; readonly json?: string; readonly error?: { message: string; code: number } }
  /**
   * A piece of request `id`'s result as JSON, in order; its `response` carries the last piece. A
   * large answer (a Simulate click on a 5 MB design: megabytes) crosses a piece per step of its
   * writing, never joined on this thread.
   */
  | { readonly t: "part"; readonly id: number; readonly json: string }
  | { readonly t: "log"; readonly message: string };

/** workerData that makes the server's own script run as the background thread. */
export const BACKGROUND_MARK = "quorate-background";
