import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { EmbedhostError } from '../errors.js';
import { l2Normalize } from '../embeddings/vectors.js';

// Video is embedded as frames: ffmpeg samples them, each is embedded as an image, and the vectors are
// pooled. ffmpeg is optional; without it, video requests get a 501 that names what to install.

export interface VideoOptions {
  /** @default 100 MiB */
  maxVideoBytes: number;
  /** Frames sampled per second. @default 1 */
  videoFps: number;
  /** @default 16 */
  maxVideoFrames: number;
}

export const DEFAULT_VIDEO: VideoOptions = { maxVideoBytes: 100 * 2 ** 20, videoFps: 1, maxVideoFrames: 16 };

export type FramePooling = 'mean' | 'max' | 'first';

let ffmpeg: Promise<boolean> | undefined;

/** Whether ffmpeg runs here; asked once per process. */
export function hasFfmpeg(): Promise<boolean> {
  ffmpeg ??= execa('ffmpeg', ['-version'], { reject: false, timeout: 10_000, stdin: 'ignore' }).then((r) => r.exitCode === 0);
  return ffmpeg;
}

export async function extractFrames(video: Buffer, param: string, options: { fps: number; maxFrames: number; maxBytes: number }): Promise<Buffer[]> {
  if (video.length > options.maxBytes) throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', `\`${param}\` is ${video.length} bytes, over the ${options.maxBytes}-byte video limit`, { param });
  if (!(await hasFfmpeg())) {
    throw new EmbedhostError('EMBEDHOST_NOT_IMPLEMENTED', 'Video needs ffmpeg, which is not installed here (Debian/Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg)', { param });
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'embedhost-video-'));
  try {
    const input = path.join(dir, 'input');
    await fs.writeFile(input, video);
    const run = await execa('ffmpeg', ['-v', 'error', '-nostdin', '-i', input, '-vf', `fps=${options.fps}`, '-frames:v', String(options.maxFrames), '-f', 'image2', path.join(dir, 'frame-%04d.png')], {
      reject: false,
      timeout: 60_000,
      stdin: 'ignore',
    });
    const frames = (await fs.readdir(dir)).filter((name) => name.startsWith('frame-')).sort();
    if (run.exitCode !== 0 || frames.length === 0) {
      const why = String(run.stderr ?? '').split('\n').find((line) => line.trim()) ?? 'no frames';
      throw new EmbedhostError('EMBEDHOST_INVALID_REQUEST', `\`${param}\` could not be decoded as a video: ${why}`, { param });
    }
    return Promise.all(frames.map((name) => fs.readFile(path.join(dir, name))));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Pure: one vector for a video from its frames' vectors, L2-normalized. */
export function poolFrames(vectors: readonly Float32Array[], mode: FramePooling): Float32Array {
  if (mode === 'first' || vectors.length === 1) return vectors[0]!;
  const out = new Float32Array(vectors[0]!.length).fill(mode === 'max' ? -Infinity : 0);
  for (const vector of vectors) {
    for (let i = 0; i < out.length; i++) out[i] = mode === 'max' ? Math.max(out[i]!, vector[i]!) : out[i]! + vector[i]! / vectors.length;
  }
  return l2Normalize(out);
}
