import {
  Controller,
  Get,
  HttpCode,
  HttpException,
  Inject,
  Post,
  Query,
  Req,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { NoModelError, SCORER, type ScoredRows, type Scorer } from '../scoring/scorer.port';
import { PredictInputError, type PredictInput } from './predict-input';
import { PREDICT_LIMITS, type PredictLimits } from './predict-limits';
import { PredictRequestReader, UPLOAD_FIELD } from './predict-request';
import { PredictErrorDto, PredictResponseDto, type EchoedInputsDto } from './predict.dto';

/** Most input columns `echo` may ask for. */
export const MAX_ECHO_COLUMNS = 32;

function noModel(message: string): ServiceUnavailableException {
  return new ServiceUnavailableException({ error: 'NO_MODEL', message });
}

function parseEcho(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n > MAX_ECHO_COLUMNS) {
    throw new HttpException(
      { error: 'BAD_QUERY', message: `echo must be an integer in 0..${MAX_ECHO_COLUMNS}, got '${raw}'` },
      400,
    );
  }
  return n;
}

function echoed(input: PredictInput, count: number): EchoedInputsDto {
  const columns = input.columns.slice(0, count);
  return { columns, values: input.rows.map((row) => columns.map((c) => row[c] ?? null)) };
}

/** `POST /predict`: scores a batch of rows (JSON or CSV) with the model being served. */
@ApiTags('predict')
@Controller()
export class PredictController {
  private readonly reader: PredictRequestReader;

  constructor(
    @Inject(SCORER) private readonly scorer: Scorer,
    @Inject(PREDICT_LIMITS) limits: PredictLimits,
  ) {
    this.reader = new PredictRequestReader(limits);
  }

  @Get('features')
  @ApiOperation({
    summary: 'The served feature order',
    description:
      'The dataset, model version and feature names in the order a dense `traffic.records` v2 record ' +
      "lists its `values`, with that order's id (`featureSet`) the record must carry. A producer reads " +
      'it once; a record naming another feature set is dead-lettered with UNKNOWN_FEATURE_SET.',
  })
  @ApiOkResponse({ description: '{ dataset, modelVersion, featureSet, features }' })
  @ApiServiceUnavailableResponse({ description: 'No model is loaded yet', type: PredictErrorDto })
  features(): { dataset: string; modelVersion: string; featureSet: string; features: readonly string[] } {
    const model = this.scorer.served();
    if (model === null) throw noModel('no production model is loaded yet');
    return {
      dataset: model.dataset,
      modelVersion: model.version,
      featureSet: model.featureSet,
      features: model.features,
    };
  }

  @Post('predict')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Score a batch of rows',
    description:
      'Rows are keyed by the dataset\'s own column names (e.g. "Flow Bytes/s"); `recordId` and `source` ' +
      `are not features. Send JSON (an array of rows, or { "records": [...] }), a CSV body (text/csv), or ` +
      `a CSV file upload (multipart/form-data, field '${UPLOAD_FIELD}'). CSV cells are passed on as text ` +
      'and converted by the dataset schema. Rows the record checks refuse are listed in `rejected`; the ' +
      'others get one prediction each.',
  })
  @ApiQuery({
    name: 'echo',
    required: false,
    type: Number,
    description: `Return the first N input columns' values in \`inputs\` (0..${MAX_ECHO_COLUMNS}, default 0)`,
  })
  @ApiOkResponse({ type: PredictResponseDto })
  @ApiResponse({ status: 400, type: PredictErrorDto, description: 'Malformed JSON or CSV, or no rows' })
  @ApiResponse({ status: 413, type: PredictErrorDto, description: 'Too many rows, or too large a body' })
  @ApiResponse({ status: 415, type: PredictErrorDto, description: 'Unsupported Content-Type' })
  @ApiServiceUnavailableResponse({ type: PredictErrorDto, description: 'No model is loaded yet' })
  async predict(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @Query('echo') echo?: string,
  ): Promise<PredictResponseDto> {
    const echoColumns = parseEcho(echo);
    // Refuse before reading what may be a large body that could not be scored anyway.
    if (this.scorer.served() === null) throw noModel(new NoModelError().message);
    let input: PredictInput;
    try {
      input = await this.reader.read(req, res);
    } catch (e) {
      if (e instanceof PredictInputError) {
        throw new HttpException({ error: e.code, message: e.message }, e.status);
      }
      throw e;
    }
    let scored: ScoredRows;
    try {
      scored = this.scorer.scoreRows(input.rows);
    } catch (e) {
      if (e instanceof NoModelError) throw noModel(e.message);
      throw e;
    }
    const { model } = scored;
    return {
      model: {
        version: model.version,
        dataset: model.dataset,
        threshold: model.threshold,
        labels: { positive: model.labels.positive, negative: model.labels.negative },
      },
      predictions: [...scored.predictions],
      rejected: [...scored.rejected],
      scoringMs: scored.scoringMs,
      ...(echoColumns > 0 ? { inputs: echoed(input, echoColumns) } : {}),
    };
  }
}
