import { describe, expect, it } from 'vitest';
import { LogTail } from '../../src/supervisor/log-tail.js';

describe('LogTail', () => {
  it('keeps the last lines, across chunk boundaries', () => {
    const tail = new LogTail(2);
    tail.push('one\ntw');
    tail.push('o\nthree\n');
    expect(tail.tail()).toEqual(['two', 'three']);
  });

  it("summarises llama-server's errors: the cause first, the outcome last", () => {
    const tail = new LogTail();
    tail.push(
      [
        '0.00.018.761 E llama_model_load: error loading model: tensor data is not within the file bounds',
        '0.00.018.779 E llama_model_load_from_file_impl: failed to load model',
        '0.00.022.094 E llama_model_load: error loading model: tensor data is not within the file bounds',
        '0.00.026.704 E srv  llama_server: exiting due to model loading error',
        '',
      ].join('\n'),
    );
    expect(tail.errorSummary()).toBe(
      'llama_model_load: error loading model: tensor data is not within the file bounds ... srv  llama_server: exiting due to model loading error',
    );
  });

  it('has no summary when nothing went wrong', () => {
    const tail = new LogTail();
    tail.push('0.00.016.150 I srv  llama_server: model loaded\n');
    expect(tail.errorSummary()).toBeUndefined();
  });
});
