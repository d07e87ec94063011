import bodyParser from 'body-parser';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { PredictInputError, rowsFromCsv, rowsFromJson, type PredictInput } from './predict-input';
import type { PredictLimits } from './predict-limits';

export const JSON_TYPES = ['application/json', 'application/*+json'] as const;
export const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain'] as const;
export const MULTIPART_TYPE = 'multipart/form-data';
/** The multipart form field that carries the uploaded file. */
export const UPLOAD_FIELD = 'file';

/** An error as body-parser and its raw-body reader report it. */
interface HttpParserError {
  readonly type?: string;
  readonly message: string;
}

function run(handler: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    const next: NextFunction = (err?: unknown) => {
      if (err === undefined) resolve();
      else reject(err instanceof Error ? err : new Error('the request body cannot be read'));
    };
    void handler(req, res, next);
  });
}

/**
 * Reads the body of a `POST /predict` request into rows, whatever its form: JSON (array or `{ records }`),
 * a CSV body, or a multipart upload of a CSV (or JSON) file in the field `file`. Every limit and parse
 * failure becomes a `PredictInputError` with its HTTP status and a reason a caller can act on.
 *
 * Bodies are read here, per request, with the configured size limit, so the app's global body parser must
 * be off (`NestFactory.create(..., { bodyParser: false })`): when it is on, JSON bodies it already parsed
 * are taken as they are, but it refuses any JSON body over its own 100 KiB limit before this code runs.
 */
export class PredictRequestReader {
  private readonly json: RequestHandler;
  private readonly csv: RequestHandler;
  private readonly upload: RequestHandler;

  constructor(private readonly limits: PredictLimits) {
    this.json = bodyParser.json({ limit: limits.maxBodyBytes, type: [...JSON_TYPES] });
    this.csv = bodyParser.text({ limit: limits.maxBodyBytes, type: [...CSV_TYPES] });
    this.upload = multer({
      storage: multer.memoryStorage(),
      limits: { fileSize: limits.maxBodyBytes, files: 1, fields: 16, fieldSize: 64 * 1024, parts: 17 },
    }).single(UPLOAD_FIELD);
  }

  async read(req: Request, res: Response): Promise<PredictInput> {
    // null: no body at all; false: a body of a type not listed.
    const kind = req.is([...JSON_TYPES, ...CSV_TYPES, MULTIPART_TYPE]);
    if (kind === null) {
      throw new PredictInputError('EMPTY_BODY', 'the request has no body: send JSON rows or a CSV');
    }
    if (kind === MULTIPART_TYPE) return this.readUpload(req, res);
    if (kind !== false && (CSV_TYPES as readonly string[]).includes(kind)) {
      await this.parse(this.csv, req, res);
      if (typeof req.body !== 'string') throw this.emptyBody();
      return rowsFromCsv(req.body, this.limits.maxRows);
    }
    if (kind !== false) {
      await this.parse(this.json, req, res);
      if (req.body === undefined) throw this.emptyBody();
      return rowsFromJson(req.body as unknown, this.limits.maxRows);
    }
    throw new PredictInputError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type '${req.get('content-type') ?? ''}' is not accepted: send application/json, text/csv, ` +
        `or multipart/form-data with the CSV in the field '${UPLOAD_FIELD}'`,
    );
  }

  private emptyBody(): PredictInputError {
    return new PredictInputError('EMPTY_BODY', 'the request body is empty');
  }

  private async parse(handler: RequestHandler, req: Request, res: Response): Promise<void> {
    try {
      await run(handler, req, res);
    } catch (e) {
      throw this.parserError(e as HttpParserError);
    }
  }

  private parserError(e: HttpParserError): PredictInputError {
    switch (e.type) {
      case 'entity.too.large':
        return this.tooLarge('request body');
      case 'entity.parse.failed':
        return new PredictInputError('MALFORMED_JSON', `the body is not valid JSON: ${e.message}`);
      case 'charset.unsupported':
      case 'encoding.unsupported':
        return new PredictInputError('UNSUPPORTED_MEDIA_TYPE', e.message);
      case undefined:
      default:
        return new PredictInputError('BAD_UPLOAD', `the request body cannot be read: ${e.message}`);
    }
  }

  private tooLarge(what: string): PredictInputError {
    return new PredictInputError(
      'BODY_TOO_LARGE',
      `the ${what} exceeds ${this.limits.maxBodyBytes} bytes, the most one request may send ` +
        `(NETSENTRY_PREDICT_MAX_BODY_BYTES): split it`,
    );
  }

  private async readUpload(req: Request, res: Response): Promise<PredictInput> {
    try {
      await run(this.upload, req, res);
    } catch (e) {
      if (e instanceof multer.MulterError) {
        if (e.code === 'LIMIT_FILE_SIZE') throw this.tooLarge('uploaded file');
        if (e.code === 'LIMIT_UNEXPECTED_FILE') {
          throw new PredictInputError(
            'BAD_UPLOAD',
            `upload one file, in the form field '${UPLOAD_FIELD}' (got field '${e.field ?? '?'}')`,
          );
        }
        throw new PredictInputError('BAD_UPLOAD', `the upload was refused: ${e.message}`);
      }
      throw new PredictInputError('BAD_UPLOAD', `the multipart body cannot be read: ${(e as Error).message}`);
    }
    const file = req.file;
    if (file === undefined) {
      throw new PredictInputError('BAD_UPLOAD', `no file in the form field '${UPLOAD_FIELD}'`);
    }
    const text = file.buffer.toString('utf8');
    const isJson = file.mimetype === 'application/json' || /\.json$/i.test(file.originalname);
    if (!isJson) return rowsFromCsv(text, this.limits.maxRows);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (e) {
      throw new PredictInputError(
        'MALFORMED_JSON',
        `the uploaded file is not valid JSON: ${(e as Error).message}`,
      );
    }
    return rowsFromJson(parsed, this.limits.maxRows);
  }
}
