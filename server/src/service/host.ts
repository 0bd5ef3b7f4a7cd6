// What the language service may ask of the machine it runs on is injected by the platform
// (platform/node.ts on Node; nothing on the web): the service itself never touches the disk or
// starts a process, and what takes time takes the request's cancellation.

/** A request's cancellation, as the LSP connection hands it over (structurally its CancellationToken). */
export interface Cancellation {
  readonly isCancellationRequested: boolean;
  onCancellationRequested(listener: () => void): { dispose(): void };
}
