import { ApiProperty, ApiPropertyOptional, type SchemaObject } from '@nestjs/swagger';

/*
 * The shapes of POST /predict for the OpenAPI document. The controller returns plain objects of these
 * shapes (the Scorer port's types); the classes exist so that @nestjs/swagger can describe them.
 */

const CELL: SchemaObject = {
  oneOf: [{ type: 'number' }, { type: 'string' }],
  nullable: true,
  description: 'A feature value: a number, a string (categories, or numbers as text), or null for missing',
};

/** One row to score: the dataset's own column names → values. */
export class PredictRowDto {
  @ApiPropertyOptional({
    description: "The record's id, echoed in its prediction; the row's index when absent",
    example: 'flow-000123',
  })
  recordId?: string;

  @ApiPropertyOptional({ description: 'Where the record comes from (a sensor, a file name)' })
  source?: string;

  // Feature columns are free-form keys; described by additionalProperties in setupOpenApi.
  [column: string]: unknown;
}

export class PredictRecordsDto {
  @ApiProperty({ type: () => [PredictRowDto], description: 'The rows to score' })
  records!: PredictRowDto[];
}

export class ClassLabelsDto {
  @ApiProperty({ example: 'malicious' })
  positive!: string;

  @ApiProperty({ example: 'benign' })
  negative!: string;
}

export class ServedModelDto {
  @ApiProperty({ description: 'Registry version of the model that scored this request', example: '12' })
  version!: string;

  @ApiProperty({ description: 'Dataset the model is trained for', example: 'cic-ids2017' })
  dataset!: string;

  @ApiProperty({ description: 'score ≥ threshold → the positive (malicious) label', example: 0.5 })
  threshold!: number;

  @ApiProperty({ type: () => ClassLabelsDto })
  labels!: ClassLabelsDto;
}

export class RowPredictionDto {
  @ApiProperty({ description: '0-based index of the row in the request (CSV: data rows after the header)' })
  row!: number;

  @ApiProperty({ example: 'flow-000123' })
  recordId!: string;

  @ApiProperty({ description: 'P(positive), in 0..1', example: 0.97 })
  score!: number;

  @ApiProperty({ description: "One of the model's labels", example: 'malicious' })
  label!: string;

  @ApiProperty({ description: 'score ≥ threshold' })
  isPositive!: boolean;
}

export class RowRejectionDto {
  @ApiProperty({ description: '0-based index of the row in the request' })
  row!: number;

  @ApiProperty()
  recordId!: string;

  @ApiProperty({
    description: 'Machine-readable reason',
    example: 'MISSING_FEATURE',
    enum: ['MISSING_FEATURE', 'UNEXPECTED_FEATURE', 'WRONG_TYPE', 'NOT_FINITE', 'NOT_ALLOWED'],
  })
  code!: string;

  @ApiProperty({ description: 'The reason in words', example: "feature 'Flow Bytes/s' is missing" })
  reason!: string;
}

export class EchoedInputsDto {
  @ApiProperty({ type: [String], description: 'The first N input columns, in request order' })
  columns!: string[];

  @ApiProperty({
    description: "values[row][i] is the request row's value of columns[i], as sent (null when absent)",
    type: 'array',
    items: { type: 'array', items: CELL },
  })
  values!: unknown[][];
}

export class PredictResponseDto {
  @ApiProperty({ type: () => ServedModelDto })
  model!: ServedModelDto;

  @ApiProperty({ type: () => [RowPredictionDto], description: 'One per accepted row, in request order' })
  predictions!: RowPredictionDto[];

  @ApiProperty({ type: () => [RowRejectionDto], description: 'Rows the record checks refused' })
  rejected!: RowRejectionDto[];

  @ApiProperty({ description: 'Milliseconds spent scoring (record checks, preprocessing, model)' })
  scoringMs!: number;

  @ApiPropertyOptional({
    type: () => EchoedInputsDto,
    description: 'Present when `echo` > 0: input values to show beside the predictions',
  })
  inputs?: EchoedInputsDto;
}

export class PredictErrorDto {
  @ApiProperty({
    description: 'Machine-readable error',
    enum: [
      'NO_MODEL',
      'EMPTY_BODY',
      'MALFORMED_JSON',
      'MALFORMED_CSV',
      'NO_ROWS',
      'BAD_UPLOAD',
      'BAD_QUERY',
      'TOO_MANY_ROWS',
      'BODY_TOO_LARGE',
      'UNSUPPORTED_MEDIA_TYPE',
    ],
  })
  error!: string;

  @ApiProperty({ description: 'What went wrong and what to do' })
  message!: string;
}

/** The JSON schema of one cell, for the row schema's additionalProperties. */
export const CELL_SCHEMA: Readonly<SchemaObject> = CELL;
