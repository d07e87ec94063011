import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { MULTIPART_TYPE, UPLOAD_FIELD } from './predict-request';
import { CELL_SCHEMA, PredictErrorDto, PredictRecordsDto, PredictRowDto } from './predict.dto';

const CSV_EXAMPLE = 'recordId,Destination Port,Flow Duration,Flow Bytes/s\nflow-1,80,1200,5300.5\n';

/**
 * `POST /predict` takes the same rows in three forms; the decorators can give one body schema only, so the
 * request body is written here: JSON (rows or `{ records }`), a CSV body, or a multipart CSV upload.
 */
function describePredictBody(document: OpenAPIObject): void {
  const row = document.components?.schemas?.[PredictRowDto.name];
  if (row !== undefined && !('$ref' in row)) row.additionalProperties = { ...CELL_SCHEMA };
  const post = document.paths['/predict']?.post;
  if (post === undefined) return;
  const jsonSchema = {
    oneOf: [
      { type: 'array' as const, items: { $ref: getSchemaPath(PredictRowDto) } },
      { $ref: getSchemaPath(PredictRecordsDto) },
    ],
  };
  const csvSchema = { type: 'string' as const, description: 'A CSV with a header line of column names' };
  post.requestBody = {
    required: true,
    content: {
      'application/json': { schema: jsonSchema },
      'text/csv': { schema: csvSchema, example: CSV_EXAMPLE },
      [MULTIPART_TYPE]: {
        schema: {
          type: 'object',
          required: [UPLOAD_FIELD],
          properties: {
            [UPLOAD_FIELD]: {
              type: 'string',
              format: 'binary',
              description: 'The CSV file (or a .json file of rows)',
            },
          },
        },
      },
    },
  };
}

/**
 * Serves the OpenAPI document of the app's HTTP API: Swagger UI at `/docs` (its assets come from the
 * swagger-ui-dist package, nothing from the internet), the JSON at `/docs-json`, YAML at `/docs-yaml`.
 * Call it before `app.listen()`: routes added after the app started are not reached.
 */
export function setupOpenApi(app: INestApplication, version = 'dev'): void {
  const config = new DocumentBuilder()
    .setTitle('netsentry inference')
    .setDescription(
      'Scores network-flow records with the production model of the dataset this instance serves. ' +
        'The analyst page is at /; /healthz, /readyz and /metrics are for operators.',
    )
    .setVersion(version)
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [PredictRowDto, PredictRecordsDto, PredictErrorDto],
  });
  describePredictBody(document);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
    customSiteTitle: 'netsentry inference API',
  });
}
