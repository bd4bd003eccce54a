import type { Embedder } from '../embeddings/embedder.js';
import type { LaunchSpec } from '../supervisor/args.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { GgufInfo } from './gguf-info.js';

// One model the gateway serves: its own llama-server (supervised) and the embedder that talks to it.
export interface ServedModel {
  /** The name clients select it by, and the name responses report. */
  id: string;
  file: string;
  mmprojFile: string | undefined;
  info: GgufInfo;
  /** The hardware profile it came from, when one chose it. */
  profile: string | undefined;
  launch: Omit<LaunchSpec, 'port' | 'apiKey'>;
  supervisor: Supervisor;
  embedder: Embedder;
}
