// The client's one way to ask the server a custom request: the params and result types come from
// the request's single declaration in the shared protocol.ts, so a call that sends the wrong
// params or reads the wrong result does not build. (The client library carries its own copy of
// the protocol package, whose RequestType class TypeScript keeps apart from the server's, so
// the call goes by the declared method name.)
import type { BaseLanguageClient as LanguageClient, CancellationToken } from "vscode-languageclient";
import type { RequestType } from "vscode-languageserver-protocol";

export function request<P, R>(client: LanguageClient, type: RequestType<P, R, void>, params: P, token?: CancellationToken): Promise<R> {
  return client.sendRequest<R>(type.method, params, token);
}
