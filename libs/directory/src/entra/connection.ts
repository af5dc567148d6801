import { EntraDirectory } from './directory.js';
import { GraphClient } from './graph-client.js';
import type { EntraOptions } from './options.js';
import { EntraTokenProvider } from './token-provider.js';

/** Everything that talks to one tenant, built once and shared by the providers. */
export interface EntraConnection {
  readonly options: EntraOptions;
  readonly tokens: EntraTokenProvider;
  readonly graph: GraphClient;
  readonly directory: EntraDirectory;
  close(): void;
}

export function createEntraConnection(options: EntraOptions): EntraConnection {
  const tokens = new EntraTokenProvider(options);
  const graph = new GraphClient(tokens);
  const directory = new EntraDirectory(graph, options);
  return {
    options,
    tokens,
    graph,
    directory,
    close: () => {
      directory.clear();
      tokens.close();
    },
  };
}
