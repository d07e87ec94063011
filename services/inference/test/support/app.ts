import 'reflect-metadata';
import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InferenceHttpModule } from '../../src/http/http.module';
import { setupOpenApi } from '../../src/http/openapi';
import type { PredictLimits } from '../../src/http/predict-limits';
import { SCORER, type Scorer } from '../../src/scoring/scorer.port';

export interface RunningApp {
  readonly app: INestApplication<Server>;
  readonly base: string;
  close(): Promise<void>;
}

/** The module a service would provide the Scorer from (here: a given instance). */
function scoringModule(scorer: Scorer): DynamicModule {
  @Module({})
  class ScoringModule {}
  return { module: ScoringModule, providers: [{ provide: SCORER, useValue: scorer }], exports: [SCORER] };
}

/**
 * A real Nest HTTP server with the inference HTTP module, wired as the service wires it: the Scorer from an
 * imported module, the app's own body parser off, the OpenAPI document set up before listening.
 */
export async function startHttpApp(scorer: Scorer, limits?: Partial<PredictLimits>): Promise<RunningApp> {
  @Module({
    imports: [
      InferenceHttpModule.register({ imports: [scoringModule(scorer)], ...(limits ? { limits } : {}) }),
    ],
  })
  class RootModule {}
  const app = await NestFactory.create<INestApplication<Server>>(RootModule, {
    bodyParser: false,
    logger: ['error'],
  });
  setupOpenApi(app, 'test');
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, base: `http://127.0.0.1:${port}`, close: () => app.close() };
}
