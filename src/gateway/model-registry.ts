import { EmbedhostError } from '../errors.js';
import type { ServedModel } from '../models/served-model.js';

// Which served model a request means. With one model any name is accepted (apps that hard-code
// `text-embedding-3-small` keep working); with several, the name must be one of them.
export class ModelRegistry {
  private readonly byId: Map<string, ServedModel>;

  constructor(readonly models: readonly ServedModel[]) {
    if (models.length === 0) throw new TypeError('Expected at least one served model');
    this.byId = new Map(models.map((model) => [model.id, model]));
    if (this.byId.size !== models.length) throw new TypeError(`Expected distinct model ids, got ${models.map((m) => m.id).join(', ')}`);
  }

  /** The first model: what a request that names none gets. */
  get defaultModel(): ServedModel {
    return this.models[0]!;
  }

  resolve(name: string | undefined): ServedModel {
    if (name === undefined || this.models.length === 1) return this.defaultModel;
    const model = this.byId.get(name);
    if (model) return model;
    throw new EmbedhostError('EMBEDHOST_MODEL_NOT_FOUND', `The model \`${name}\` is not served here; served models: ${[...this.byId.keys()].join(', ')}`, {
      param: 'model',
    });
  }
}
