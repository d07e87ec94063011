import { Module, type DynamicModule, type ModuleMetadata, type Provider } from '@nestjs/common';
import { AnalystPageController } from './analyst-page.controller';
import { DEFAULT_PREDICT_LIMITS, PREDICT_LIMITS, type PredictLimits } from './predict-limits';
import { PredictController } from './predict.controller';

export interface InferenceHttpOptions {
  /** Modules to import, one of which exports the `SCORER` provider (unless it is global or in `providers`). */
  readonly imports?: ModuleMetadata['imports'];
  /** Extra providers of this module, e.g. `{ provide: SCORER, useExisting: StreamScorer }`. */
  readonly providers?: readonly Provider[];
  /** Request limits; `loadConfig(predictLimitsSection())` reads them from the environment. */
  readonly limits?: Partial<PredictLimits>;
}

/**
 * The HTTP side of inference: `POST /predict` and the analyst page at `GET /`. It scores through the
 * `SCORER` port and expects its importer to provide it:
 *
 *   InferenceHttpModule.register({ imports: [ScoringModule], limits: loadConfig(predictLimitsSection()) })
 *
 * where ScoringModule provides and exports `SCORER`. Create the app with `{ bodyParser: false }` (the
 * controller reads bodies itself, with its own size limit) and call `setupOpenApi(app)` before `listen`.
 */
@Module({})
export class InferenceHttpModule {
  static register(options: InferenceHttpOptions = {}): DynamicModule {
    const limits: PredictLimits = { ...DEFAULT_PREDICT_LIMITS, ...options.limits };
    return {
      module: InferenceHttpModule,
      imports: options.imports ?? [],
      // The caller's providers come last, so a PREDICT_LIMITS factory among them (from config) wins.
      providers: [{ provide: PREDICT_LIMITS, useValue: limits }, ...(options.providers ?? [])],
      controllers: [PredictController, AnalystPageController],
    };
  }
}
