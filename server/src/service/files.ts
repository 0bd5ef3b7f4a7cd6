// What the per-feature LSP mappings (convert, hover, actions, navigation) read of the service's
// workspace state: one file's state, any file's line index, and the drift index.
import type { FileAnalysis } from "../analysis";
import type { Finding } from "../model/finding";
import type { LineIndex } from "../model/text";
import type { DeclaredNames } from "../nav/completion";
import type { DriftIndex } from "./drift";

export interface FileState {
  readonly uri: string;
  text: string;
  /** open in the editor (its text wins over the disk) */
  open: boolean;
  /** also present on disk (from the workspace index) */
  onDisk: boolean;
  analysis?: FileAnalysis;
  tooLarge: boolean;
  /** analysed by another instance (the server's background thread), which answers for it */
  hosted: boolean;
  /** a hosted file's line index, for places other files' findings point to */
  hostedLines?: LineIndex;
  /** the names the last topology that parsed declared, for completion while the text is broken */
  lastNames?: DeclaredNames;
  findings: Finding[];
}

/** The workspace as the feature mappings see it (the service gives itself). */
export interface Workspace {
  file(uri: string): FileState | undefined;
  /** a file's line index: its analysis's, or for a hosted file one kept from its text */
  linesOf(uri: string): LineIndex | undefined;
  /** drift against bound deployment files, when the transport turned it on */
  readonly driftIndex: DriftIndex | undefined;
}
